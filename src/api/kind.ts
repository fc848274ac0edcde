// What a kind declares about itself, once: the CRD generator and the TypeScript types both read it.
import type { TObject } from '@sinclair/typebox';
import type { CelRule } from './schema.js';

export const GROUP = 'dynokube.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CATEGORY = 'dynokube';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: TObject;
  /** Whether an object without a spec is invalid. */
  specRequired: boolean;
  status: TObject;
  /** CEL rules on the whole object (they may read metadata.name). */
  rules: CelRule[];
  printerColumns: PrinterColumn[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** ObjectMeta as JSON carries it (timestamps are strings). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
  managedFields?: unknown;
}

/** An object of one of our kinds as the API server returns it. */
export interface KubeObject<Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}
