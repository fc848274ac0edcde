import { Type, type Static } from '@sinclair/typebox';
import { AppName } from './app.js';
import { Conditions, ObservedGeneration } from './conditions.js';
import type { KindDefinition, KubeObject } from './kind.js';
import { PROCESS_TYPE_MAX, PROCESS_TYPE_PATTERN } from './names.js';
import { StringEnum, StringMap, cel } from './schema.js';
import { DEFAULT_DYNO_SIZE, DYNO_SIZES, MAX_QUANTITY } from './sizes.js';

/** Web dynos scale on what the router sees; other types on CPU, through a HorizontalPodAutoscaler. */
export const Autoscale = Type.Object(
  {
    min: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY, description: 'Never fewer dynos than this.' }),
    max: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY, description: 'Never more dynos than this.' }),
    p95Ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 30_000, description: 'web only: the 95th percentile response time to stay under, in ms (Heroku\'s target).' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'web only: requests in flight per dyno to stay under (reacts within seconds).' })),
    cpuPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'other types only: the average CPU use, as a share of the CPU requested, its HorizontalPodAutoscaler keeps (default 80).' })),
  },
  {
    description: 'Scale this type between min and max: web by the router\'s p95 and concurrency (decisions are written to quantity), other types on CPU by a HorizontalPodAutoscaler that then owns their replica count.',
    ...cel({ rule: 'self.min <= self.max', message: 'autoscale min must not be greater than max', fieldPath: '.min' }),
  },
);
export type Autoscale = Static<typeof Autoscale>;

export const ProcessFormation = Type.Object({
  quantity: Type.Integer({ minimum: 0, maximum: MAX_QUANTITY, description: `How many dynos of this type run (0–${MAX_QUANTITY}); with autoscale on web, the autoscaler's latest decision.` }),
  size: Type.Optional(StringEnum(DYNO_SIZES, { default: DEFAULT_DYNO_SIZE, description: 'Dyno size, which sets memory and CPU.' })),
  autoscale: Type.Optional(Autoscale),
});
export type ProcessFormation = Static<typeof ProcessFormation>;

/** Heroku's eco dynos sleep after 30 minutes without web traffic. */
export const DEFAULT_IDLE_SECONDS = 1800;

export const Sleep = Type.Object(
  {
    idleSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 7 * 86_400, default: DEFAULT_IDLE_SECONDS, description: 'Seconds without a request after which every dyno stops (default 1800, Heroku\'s 30 minutes).' })),
  },
  { description: 'Sleep when idle: with no request for idleSeconds every dyno of the app stops (the quantities stay as they are); the router holds the next request while the app wakes. One-off dynos and release phases are not affected.' },
);
export type Sleep = Static<typeof Sleep>;

const WEB_TARGETS = 'has(self[t].autoscale.p95Ms) || has(self[t].autoscale.concurrency)';
const CPU_TARGET = 'has(self[t].autoscale.cpuPercent)';

export const FormationSpec = Type.Object(
  {
    app: AppName,
    processes: StringMap(ProcessFormation, {
      maxProperties: 50,
      description: 'Scale per process type.',
      ...cel(
        {
          rule: `self.all(t, size(t) <= ${PROCESS_TYPE_MAX} && t.matches('${PROCESS_TYPE_PATTERN}'))`,
          message: `process type names must be lowercase letters, digits and dashes, at most ${PROCESS_TYPE_MAX} characters, as in a Procfile whose types become Kubernetes names`,
        },
        {
          rule: `self.all(t, !has(self[t].autoscale) || (t == 'web' ? (${WEB_TARGETS}) && !(${CPU_TARGET}) : !(${WEB_TARGETS})))`,
          message: 'web autoscales on p95Ms and/or concurrency (the router\'s view); other process types on cpuPercent only',
        },
      ),
    }),
    sleep: Type.Optional(Sleep),
  },
  cel({
    rule: '!has(self.sleep) || self.processes.all(t, !has(self.processes[t].autoscale))',
    message: 'an app that sleeps cannot autoscale (sleeping stops every dyno, autoscaling keeps at least min): disable one first',
    fieldPath: '.sleep',
  }),
);
export type FormationSpec = Static<typeof FormationSpec>;

export const ProcessStatus = Type.Object({
  desired: Type.Integer({ minimum: 0, description: 'Dynos asked for now: 0 while asleep; what the HorizontalPodAutoscaler chose for a type it scales.' }),
  ready: Type.Integer({ minimum: 0 }),
  size: Type.Optional(Type.String()),
  command: Type.Optional(Type.String()),
});

export const FormationStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  release: Type.Optional(Type.Integer({ minimum: 0, description: 'The release the dynos run.' })),
  processes: Type.Optional(StringMap(ProcessStatus)),
  summary: Type.Optional(Type.String({ description: 'type=ready/desired for each process type, for kubectl get.' })),
  autoscale: Type.Optional(Type.Object({
    lastScaleTime: Type.String({ format: 'date-time', description: 'When the web autoscaler last changed quantity (cool-downs count from it).' }),
    reason: Type.String({ description: 'Why.' }),
  }, { description: 'The web autoscaler\'s last decision.' })),
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
