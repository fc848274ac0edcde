import { Type, type Static } from '@sinclair/typebox';
import { Conditions, ObservedGeneration } from './conditions.js';
import { APP_NAME_PATTERN, HOSTNAME_PATTERN, OBJECT_NAME_PATTERN, PROCESS_TYPE_MAX, PROCESS_TYPE_PATTERN } from './names.js';
import type { KindDefinition, KubeObject } from './kind.js';
import { StringEnum, StringMap, cel } from './schema.js';

/** The stack dynokube's own images make: Debian 12 (bookworm). A cluster may offer others. */
export const DEFAULT_STACK = 'debian-12';

export const Stack = Type.String({
  maxLength: 63,
  pattern: PROCESS_TYPE_PATTERN,
  description: `The stack: the run image slugs are layered on and the image builds run in, by the name the cluster's operator gave them (dynokube's own is ${DEFAULT_STACK}). Empty means the cluster's default.`,
});

/** Buildpacks by URL (git or tarball) or by a built-in name such as heroku/python. */
export const BUILDPACK_PATTERN = '^(https?://[^\\s]+|[a-z0-9-]+/[a-z0-9-]+)$';

export const Buildpacks = Type.Array(Type.String({ maxLength: 512, pattern: BUILDPACK_PATTERN }), {
  maxItems: 10,
  description: 'Buildpacks to run in order: a URL, or a built-in name (heroku/python, heroku/nodejs, heroku/procfile). Empty means detect.',
});

export const ProcessTypes = StringMap(Type.String({ minLength: 1, maxLength: 4096 }), {
  maxProperties: 50,
  description: 'Process type to the command it runs, as in a Procfile.',
  ...cel({
    rule: `self.all(t, size(t) <= ${PROCESS_TYPE_MAX} && t.matches('${PROCESS_TYPE_PATTERN}'))`,
    message: `process type names must be lowercase letters, digits and dashes, at most ${PROCESS_TYPE_MAX} characters (they become Kubernetes names)`,
  }),
});

/** A cert-manager Issuer (in the app's namespace) or ClusterIssuer. */
export const CertIssuer = Type.Object(
  {
    kind: Type.Optional(StringEnum(['ClusterIssuer', 'Issuer'] as const, { default: 'ClusterIssuer', description: 'ClusterIssuer, or an Issuer in the app\'s namespace.' })),
    name: Type.String({ minLength: 1, maxLength: 253, pattern: OBJECT_NAME_PATTERN, description: 'The issuer\'s name.' }),
  },
  { description: 'A cert-manager issuer.' },
);
export type CertIssuer = Static<typeof CertIssuer>;

/** HTTPS for the app's own hosts, over the platform's (the chart's tls values). */
export const AppTls = Type.Object(
  {
    secretName: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: OBJECT_NAME_PATTERN, description: 'A kubernetes.io/tls Secret in the app\'s namespace whose certificate covers its custom domains (kubectl dyno certs:add).' })),
    issuer: Type.Optional(CertIssuer),
  },
  {
    description: 'The certificate for the app\'s hosts: a Secret of your own, or one cert-manager issues for every host (its default and custom domains). Unset: the platform\'s.',
    ...cel({ rule: '!(has(self.secretName) && has(self.issuer))', message: 'give a secretName or an issuer, not both' }),
  },
);
export type AppTls = Static<typeof AppTls>;

/** A reference to an App in the same namespace, by name. */
export const AppName = Type.String({ minLength: 3, maxLength: 30, pattern: APP_NAME_PATTERN, description: 'Name of the App, in the same namespace.' });

export const AppSpec = Type.Object(
  {
    stack: Type.Optional(Stack),
    buildpacks: Type.Optional(Buildpacks),
    domains: Type.Optional(
      Type.Array(Type.String({ maxLength: 253, pattern: HOSTNAME_PATTERN }), {
        maxItems: 100,
        'x-kubernetes-list-type': 'set',
        description: 'Custom domains routed to the web dynos, besides <app>.<base domain>.',
      }),
    ),
    maintenance: Type.Optional(Type.Boolean({ default: false, description: 'Maintenance mode: the router answers 503 instead of the web dynos.' })),
    ingressClassName: Type.Optional(Type.String({ maxLength: 253, description: 'IngressClass for the web Ingress; empty means the cluster default.' })),
    tls: Type.Optional(AppTls),
    image: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, pattern: '^[^\\s]+$', description: 'A prebuilt image to deploy instead of git pushes (the GitOps path): changing it makes a new release.' }),
    ),
    processTypes: Type.Optional(ProcessTypes),
    postdeploy: Type.Optional(Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'A command run once, as a one-off dyno, after the app\'s first release: app.json\'s scripts.postdeploy (seeding a database, say).',
    })),
  },
  cel(
    { rule: '!has(self.processTypes) || has(self.image)', message: 'processTypes is only for a prebuilt image: set spec.image too', fieldPath: '.processTypes' },
    { rule: '!has(self.image) || has(self.processTypes)', message: 'a prebuilt image needs its processTypes (the commands a Procfile would give)', fieldPath: '.processTypes' },
  ),
);
export type AppSpec = Static<typeof AppSpec>;

export const SLEEP_STATES = ['Awake', 'Asleep', 'Waking'] as const;
export type SleepState = (typeof SLEEP_STATES)[number];

export const SleepStatus = Type.Object({
  state: StringEnum(SLEEP_STATES, { description: 'Awake: dynos run as the Formation says; Asleep: none run; Waking: requests are held while they start.' }),
  since: Type.String({ format: 'date-time', description: 'When the state began.' }),
  reason: Type.String({ description: 'Why, for people: idle for how long, or woken by a request.' }),
}, { description: 'Where sleeping stands, when the Formation has spec.sleep.' });
export type SleepStatus = Static<typeof SleepStatus>;

export const AppStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  currentRelease: Type.Optional(Type.Integer({ minimum: 0, description: 'Version of the release the dynos run.' })),
  latestRelease: Type.Optional(Type.Integer({ minimum: 0, description: 'Version of the newest release, running or not.' })),
  latestBuild: Type.Optional(Type.String({ description: 'Name of the newest Build.' })),
  buildCache: Type.Optional(Type.Object({
    digest: Type.String({ pattern: '^sha256:[0-9a-f]{64}$', description: 'Digest of the cache in the app\'s own repository.' }),
    build: Type.String({ description: 'The Build that saved it.' }),
  }, { description: 'The build cache the next build restores: the one the app\'s last successful build saved, by digest (a tag could be overwritten by anyone who can push).' })),
  url: Type.Optional(Type.String({ description: 'Where the web dynos answer.' })),
  sleep: Type.Optional(SleepStatus),
  conditions: Type.Optional(Conditions),
});
export type AppStatus = Static<typeof AppStatus>;

export type App = KubeObject<AppSpec, AppStatus>;

export const AppKind: KindDefinition = {
  kind: 'App',
  plural: 'apps',
  singular: 'app',
  shortNames: ['dkapp'],
  description: 'A Heroku-style app: pushed code, built into slugs, released and run as dynos.',
  spec: AppSpec,
  specRequired: false,
  status: AppStatus,
  rules: [
    {
      rule: `self.metadata.name.matches('${APP_NAME_PATTERN}')`,
      fieldPath: '.metadata.name',
      message: 'app names are 3 to 30 characters: lowercase letters, digits and dashes, starting with a letter and not ending with a dash',
    },
  ],
  printerColumns: [
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    { name: 'Release', type: 'integer', jsonPath: '.status.currentRelease' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
