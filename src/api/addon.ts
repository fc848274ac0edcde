import { Type, type Static } from '@sinclair/typebox';
import { AppName } from './app.js';
import { Conditions, ObservedGeneration } from './conditions.js';
import type { KindDefinition, KubeObject } from './kind.js';
import { ATTACHMENT_NAME_PATTERN, OBJECT_NAME_PATTERN } from './names.js';
import { StringEnum, cel } from './schema.js';

export const ADDON_SERVICES = ['postgresql', 'redis'] as const;
export type AddonService = (typeof ADDON_SERVICES)[number];
export const ADDON_PLANS = ['dev', 'standard'] as const;
export type AddonPlan = (typeof ADDON_PLANS)[number];

/** A service as the Heroku CLI and app.json name it (heroku-postgresql or postgresql), if offered here. */
export function offeredService(name: string): AddonService | undefined {
  const service = name.replace(/^heroku-/, '');
  return (ADDON_SERVICES as readonly string[]).includes(service) ? (service as AddonService) : undefined;
}

export const isAddonPlan = (plan: string): plan is AddonPlan => (ADDON_PLANS as readonly string[]).includes(plan);

/** The name an attachment takes when given none: DATABASE gives DATABASE_URL. */
export const DEFAULT_ATTACHMENT_NAMES: Record<AddonService, string> = { postgresql: 'DATABASE', redis: 'REDIS' };

/** Heroku's second database: HEROKU_POSTGRESQL_<NAME>, never overwriting the first. */
export const fallbackAttachmentName = (service: AddonService, addon: string): string =>
  `HEROKU_${service.toUpperCase()}_${addon.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`.slice(0, 63);

export const AddonSpec = Type.Object({
  service: StringEnum(ADDON_SERVICES, {
    description: 'The service to run.',
    ...cel({ rule: 'self == oldSelf', message: 'the service of an add-on cannot change: create another add-on' }),
  }),
  plan: Type.Optional(StringEnum(ADDON_PLANS, { default: 'dev', description: 'The plan: dev is one instance with a small persistent volume.' })),
});
export type AddonSpec = Static<typeof AddonSpec>;

export const AddonStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  connectionSecret: Type.Optional(Type.String({ description: 'Name of the Secret holding the connection URL (the URL itself never appears in status).' })),
  conditions: Type.Optional(Conditions),
});
export type AddonStatus = Static<typeof AddonStatus>;
export type Addon = KubeObject<AddonSpec, AddonStatus>;

export const AddonKind: KindDefinition = {
  kind: 'Addon',
  plural: 'addons',
  singular: 'addon',
  shortNames: ['dkaddon'],
  description: 'A backing service (PostgreSQL, Redis) run beside the apps that attach it.',
  spec: AddonSpec,
  specRequired: true,
  status: AddonStatus,
  rules: [],
  printerColumns: [
    { name: 'Service', type: 'string', jsonPath: '.spec.service' },
    { name: 'Plan', type: 'string', jsonPath: '.spec.plan' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export const AddonAttachmentSpec = Type.Object(
  {
    app: AppName,
    addon: Type.Optional(Type.String({ maxLength: 253, pattern: OBJECT_NAME_PATTERN, description: 'Name of an Addon in the same namespace.' })),
    secretRef: Type.Optional(
      Type.Object(
        {
          name: Type.String({ maxLength: 253, pattern: OBJECT_NAME_PATTERN, description: 'A Secret in the same namespace.' }),
          key: Type.Optional(Type.String({ maxLength: 253, default: 'url', description: 'The key whose value is the URL.' })),
        },
        { description: 'An external service: a Secret that holds its URL.' },
      ),
    ),
    as: Type.Optional(Type.String({ pattern: ATTACHMENT_NAME_PATTERN, description: 'Attachment name: DATABASE gives the app DATABASE_URL. Defaults from the service.' })),
  },
  cel(
    { rule: 'self == oldSelf', message: 'an attachment is immutable: detach and attach again' },
    { rule: 'has(self.addon) != has(self.secretRef)', message: 'an attachment names either an addon or a secretRef, not both' },
    { rule: 'has(self.addon) || has(self.as)', message: 'an attachment of an external secret needs a name (as)', fieldPath: '.as' },
  ),
);
export type AddonAttachmentSpec = Static<typeof AddonAttachmentSpec>;

export const AddonAttachmentStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  configVar: Type.Optional(Type.String({ description: 'The config var the app receives, such as DATABASE_URL.' })),
  conditions: Type.Optional(Conditions),
});
export type AddonAttachmentStatus = Static<typeof AddonAttachmentStatus>;
export type AddonAttachment = KubeObject<AddonAttachmentSpec, AddonAttachmentStatus>;

export const AddonAttachmentKind: KindDefinition = {
  kind: 'AddonAttachment',
  plural: 'addonattachments',
  singular: 'addonattachment',
  shortNames: ['dkattach'],
  description: 'Gives an app an add-on\'s URL as a config var, making a new release.',
  spec: AddonAttachmentSpec,
  specRequired: true,
  status: AddonAttachmentStatus,
  rules: [],
  printerColumns: [
    { name: 'App', type: 'string', jsonPath: '.spec.app' },
    { name: 'Addon', type: 'string', jsonPath: '.spec.addon' },
    { name: 'Config Var', type: 'string', jsonPath: '.status.configVar' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
