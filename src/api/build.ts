import { Type, type Static } from '@sinclair/typebox';
import { AppName, Buildpacks, ProcessTypes, Stack } from './app.js';
import { Conditions, ObservedGeneration } from './conditions.js';
import type { KindDefinition, KubeObject } from './kind.js';
import { COMMIT_PATTERN } from './names.js';
import { StringEnum, cel } from './schema.js';

export const BUILD_PHASES = ['Pending', 'Building', 'Succeeded', 'Failed'] as const;
export type BuildPhase = (typeof BUILD_PHASES)[number];

export const BuildSpec = Type.Object(
  {
    app: AppName,
    source: Type.Object(
      {
        commit: Type.String({ pattern: COMMIT_PATTERN, description: 'The commit being built (full hex id).' }),
        ref: Type.Optional(Type.String({ maxLength: 255, description: 'The ref that was pushed, such as refs/heads/main.' })),
        url: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://', description: 'Where the build fetches the source archive.' })),
      },
      { description: 'What is being built.' },
    ),
    logUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://', description: 'Where the builder streams its log: the receiver, which relays it to the pusher.' })),
    buildpacks: Type.Optional(Buildpacks),
    stack: Type.Optional(Stack),
  },
  cel({ rule: 'self == oldSelf', message: 'a Build is immutable: push again to build again' }),
);
export type BuildSpec = Static<typeof BuildSpec>;

export const BuildStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  phase: Type.Optional(StringEnum(BUILD_PHASES)),
  image: Type.Optional(Type.String({ description: 'The slug image, by digest.' })),
  processTypes: Type.Optional(ProcessTypes),
  stack: Type.Optional(Type.String()),
  cacheDigest: Type.Optional(Type.String({ pattern: '^sha256:[0-9a-f]{64}$', description: 'The build cache this build saved, by digest in the app\'s repository.' })),
  startedAt: Type.Optional(Type.String({ format: 'date-time' })),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  release: Type.Optional(Type.Integer({ minimum: 1, description: 'Version of the Release this build made.' })),
  url: Type.Optional(Type.String({ description: 'Where the app answers, once this build\'s release is live.' })),
  timings: Type.Optional(Type.Object({
    fetchSeconds: Type.Optional(Type.Number({ description: 'Fetching the source and the build cache.' })),
    compileSeconds: Type.Optional(Type.Number({ description: 'Running the buildpacks.' })),
    runtimeSeconds: Type.Optional(Type.Number({ description: 'Installing the language runtime and package manager (Node.js, npm, uv...) inside compile.' })),
    packageManagerSeconds: Type.Optional(Type.Number({ description: 'The package manager\'s own time inside compile: installing and pruning the dependencies.' })),
    appSeconds: Type.Optional(Type.Number({ description: 'The app\'s own build steps inside compile: build scripts, collectstatic.' })),
    imageSeconds: Type.Optional(Type.Number({ description: 'Packing the slug and pushing the image.' })),
  }, { description: 'Where the build spent its time, as the builder measured it.' })),
  conditions: Type.Optional(Conditions),
});
export type BuildStatus = Static<typeof BuildStatus>;
export type Build = KubeObject<BuildSpec, BuildStatus>;

export const BuildKind: KindDefinition = {
  kind: 'Build',
  plural: 'builds',
  singular: 'build',
  shortNames: ['dkbuild'],
  description: 'One build of pushed source into a slug image by buildpacks.',
  spec: BuildSpec,
  specRequired: true,
  status: BuildStatus,
  rules: [],
  printerColumns: [
    { name: 'App', type: 'string', jsonPath: '.spec.app' },
    { name: 'Commit', type: 'string', jsonPath: '.spec.source.commit' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
