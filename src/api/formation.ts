import { Type, type Static } from '@sinclair/typebox';
import { AppName } from './app.js';
import { Conditions, ObservedGeneration } from './conditions.js';
import type { KindDefinition, KubeObject } from './kind.js';
import { PROCESS_TYPE_MAX, PROCESS_TYPE_PATTERN } from './names.js';
import { StringEnum, StringMap, cel } from './schema.js';
import { DEFAULT_DYNO_SIZE, DYNO_SIZES, MAX_QUANTITY } from './sizes.js';

export const ProcessFormation = Type.Object({
  quantity: Type.Integer({ minimum: 0, maximum: MAX_QUANTITY, description: `How many dynos of this type run (0–${MAX_QUANTITY}).` }),
  size: Type.Optional(StringEnum(DYNO_SIZES, { default: DEFAULT_DYNO_SIZE, description: 'Dyno size, which sets memory and CPU.' })),
});
export type ProcessFormation = Static<typeof ProcessFormation>;

export const FormationSpec = Type.Object({
  app: AppName,
  processes: StringMap(ProcessFormation, {
    maxProperties: 50,
    description: 'Scale per process type.',
    ...cel({
      rule: `self.all(t, size(t) <= ${PROCESS_TYPE_MAX} && t.matches('${PROCESS_TYPE_PATTERN}'))`,
      message: `process type names must be lowercase letters, digits and dashes, at most ${PROCESS_TYPE_MAX} characters, as in a Procfile whose types become Kubernetes names`,
    }),
  }),
});
export type FormationSpec = Static<typeof FormationSpec>;

export const ProcessStatus = Type.Object({
  desired: Type.Integer({ minimum: 0 }),
  ready: Type.Integer({ minimum: 0 }),
  size: Type.Optional(Type.String()),
  command: Type.Optional(Type.String()),
});

export const FormationStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  release: Type.Optional(Type.Integer({ minimum: 0, description: 'The release the dynos run.' })),
  processes: Type.Optional(StringMap(ProcessStatus)),
  summary: Type.Optional(Type.String({ description: 'type=ready/desired for each process type, for kubectl get.' })),
  conditions: Type.Optional(Conditions),
});
export type FormationStatus = Static<typeof FormationStatus>;
export type Formation = KubeObject<FormationSpec, FormationStatus>;

export const FormationKind: KindDefinition = {
  kind: 'Formation',
  plural: 'formations',
  singular: 'formation',
  shortNames: ['dkform'],
  description: 'How many dynos of each process type an app runs, and their size.',
  spec: FormationSpec,
  specRequired: true,
  status: FormationStatus,
  rules: [{ rule: 'self.metadata.name == self.spec.app', message: 'a Formation is named after its app (spec.app)', fieldPath: '.metadata.name' }],
  printerColumns: [
    { name: 'App', type: 'string', jsonPath: '.spec.app' },
    { name: 'Processes', type: 'string', jsonPath: '.status.summary' },
    { name: 'Release', type: 'integer', jsonPath: '.status.release' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
