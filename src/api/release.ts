import { Type, type Static } from '@sinclair/typebox';
import { AppName, ProcessTypes } from './app.js';
import { Conditions, ObservedGeneration } from './conditions.js';
import type { KindDefinition, KubeObject } from './kind.js';
import { COMMIT_PATTERN } from './names.js';
import { StringEnum, cel } from './schema.js';

export const RELEASE_PHASES = ['Pending', 'ReleasePhase', 'Succeeded', 'Failed'] as const;
export type ReleasePhase = (typeof RELEASE_PHASES)[number];

/** One entry of the append-only ledger. Its spec never changes once created. */
export const ReleaseSpec = Type.Object(
  {
    app: AppName,
    version: Type.Integer({ minimum: 1, maximum: 2147483647, description: 'The release number, v1, v2, … (never reused).' }),
    description: Type.Optional(Type.String({ maxLength: 512, description: 'What changed: "Deploy 1a2b3c4", "Set FOO config vars", "Rollback to v3".' })),
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: '^[^\\s]+$', description: 'The slug image, by digest.' })),
    processTypes: Type.Optional(ProcessTypes),
    commit: Type.Optional(Type.String({ pattern: COMMIT_PATTERN, description: 'The source commit of the slug.' })),
    build: Type.Optional(Type.String({ maxLength: 253, description: 'Name of the Build that made the slug.' })),
    rollbackTo: Type.Optional(Type.Integer({ minimum: 1, description: 'Roll back: copy the slug and config of this earlier version.' })),
  },
  cel(
    { rule: 'self == oldSelf', message: 'a Release is immutable: create a new Release (a rollback, a deploy or a config change) instead' },
    { rule: 'has(self.image) != has(self.rollbackTo)', message: 'a Release names either an image or the version it rolls back to (rollbackTo), not both' },
    { rule: '!has(self.rollbackTo) || self.rollbackTo < self.version', message: 'rollbackTo must name an earlier version', fieldPath: '.rollbackTo' },
    { rule: '!has(self.processTypes) || has(self.image)', message: 'processTypes go with an image', fieldPath: '.processTypes' },
  ),
);
export type ReleaseSpec = Static<typeof ReleaseSpec>;

export const ReleaseStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  phase: Type.Optional(StringEnum(RELEASE_PHASES)),
  image: Type.Optional(Type.String({ description: 'The slug this release runs (resolved for a rollback).' })),
  processTypes: Type.Optional(ProcessTypes),
  configSecret: Type.Optional(Type.String({ description: 'Name of the immutable config snapshot Secret.' })),
  configVars: Type.Optional(Type.Array(Type.String(), { maxItems: 1024, description: 'Names (never values) of the config vars in the snapshot.' })),
  releasedAt: Type.Optional(Type.String({ format: 'date-time' })),
  conditions: Type.Optional(Conditions),
});
export type ReleaseStatus = Static<typeof ReleaseStatus>;
export type Release = KubeObject<ReleaseSpec, ReleaseStatus>;

export const ReleaseKind: KindDefinition = {
  kind: 'Release',
  plural: 'releases',
  singular: 'release',
  shortNames: ['dkrel'],
  description: 'An immutable entry of an app\'s release ledger: a slug plus a config snapshot.',
  spec: ReleaseSpec,
  specRequired: true,
  status: ReleaseStatus,
  rules: [
    {
      // Compared as numbers: the cost estimator cannot bound the length of string(int).
      rule: "self.metadata.name.matches('^[a-z][a-z0-9-]*-v[0-9]{1,10}$') && self.metadata.name.startsWith(self.spec.app + '-v') && int(self.metadata.name.substring(size(self.spec.app) + 2)) == self.spec.version",
      message: 'a Release is named <spec.app>-v<spec.version>, so that a version is never used twice',
      fieldPath: '.metadata.name',
    },
  ],
  printerColumns: [
    { name: 'App', type: 'string', jsonPath: '.spec.app' },
    { name: 'Version', type: 'integer', jsonPath: '.spec.version' },
    { name: 'Description', type: 'string', jsonPath: '.spec.description' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
