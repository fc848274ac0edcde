// Heroku's dyno sizes. The list is part of the API (the CRD accepts only these); the resources each
// size gets are the operator's default table, which a cluster operator may override.

export const DYNO_SIZES = ['eco', 'basic', 'standard-1x', 'standard-2x', 'performance-m', 'performance-l'] as const;
export type DynoSize = (typeof DYNO_SIZES)[number];
export const DEFAULT_DYNO_SIZE: DynoSize = 'standard-1x';

/** How many dynos of one process type a Formation may ask for. */
export const MAX_QUANTITY = 100;

export interface SizeResources {
  memory: string;
  cpuRequest: string;
  cpuLimit: string;
}

/** Memory matches Heroku's figures; CPU is a share a laptop cluster can afford. */
export const DEFAULT_SIZE_RESOURCES: Record<DynoSize, SizeResources> = {
  eco: { memory: '512Mi', cpuRequest: '50m', cpuLimit: '500m' },
  basic: { memory: '512Mi', cpuRequest: '50m', cpuLimit: '500m' },
  'standard-1x': { memory: '512Mi', cpuRequest: '100m', cpuLimit: '1' },
  'standard-2x': { memory: '1Gi', cpuRequest: '200m', cpuLimit: '2' },
  'performance-m': { memory: '2560Mi', cpuRequest: '1', cpuLimit: '2' },
  'performance-l': { memory: '14Gi', cpuRequest: '4', cpuLimit: '8' },
};
