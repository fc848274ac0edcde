// metav1.Condition as a schema, and the condition types our kinds report.
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './schema.js';

export const Condition = Type.Object({
  type: Type.String({ maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$', description: 'Type of condition in CamelCase: Ready, Progressing, Degraded.' }),
  status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'Status of the condition.' }),
  reason: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$', description: 'One CamelCase word saying why the condition has its status.' }),
  message: Type.String({ maxLength: 32768, description: 'A human-readable explanation.' }),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: 'int64', description: 'The .metadata.generation the condition was set from.' })),
  lastTransitionTime: Type.String({ format: 'date-time', description: 'When the status last changed.' }),
});
export type Condition = Static<typeof Condition>;

export const Conditions = Type.Array(Condition, {
  maxItems: 16,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  description: 'Observations of the object\'s state; Ready summarises them.',
});

export const ConditionType = {
  Ready: 'Ready',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  /** Whether the last reconcile went through: False carries the error it hit. */
  Synced: 'Synced',
} as const;

export const ObservedGeneration = Type.Integer({
  minimum: 0,
  format: 'int64',
  description: 'The .metadata.generation this status was computed from.',
});
