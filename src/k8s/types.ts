// client-node's model types, with metadata as the JSON on the wire has it (timestamps are strings:
// our REST client does not run client-node's deserializer).
import type { CoreV1Event, V1Deployment, V1EndpointSlice, V2HorizontalPodAutoscaler, V1Ingress, V1Job, V1PersistentVolumeClaim, V1Pod, V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { ObjectMeta } from '../api/kind.js';

export type Obj<T> = Omit<T, 'metadata'> & { metadata: ObjectMeta };

export type Deployment = Obj<V1Deployment>;
export type Job = Obj<V1Job>;
export type Secret = Obj<V1Secret>;
export type Pod = Obj<V1Pod>;
export type Ingress = Obj<V1Ingress>;
export type Service = Obj<V1Service>;
export type Event = Obj<CoreV1Event>;
export type StatefulSet = Obj<V1StatefulSet>;
export type PersistentVolumeClaim = Obj<V1PersistentVolumeClaim>;
export type EndpointSliceLike = Obj<V1EndpointSlice>;
export type HorizontalPodAutoscaler = Obj<V2HorizontalPodAutoscaler>;
