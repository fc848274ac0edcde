import { homedir } from 'node:os';
import { join } from 'node:path';

/** This checkout. */
export const PROJECT_DIR = join(import.meta.dirname, '..', '..');

/** Where `make run` and `make cluster-up` keep the local cluster: .run/ in the repository. */
export const DEFAULT_DIR = process.env.DYNOKUBE_RUN_DIR ?? join(PROJECT_DIR, '.run');

/** What outlives a checkout (built binaries, images): $DYNOKUBE_CACHE, as hack/build-control-plane.sh reads it. */
export function cacheDir(): string {
  return process.env.DYNOKUBE_CACHE || join(homedir(), '.cache', 'dynokube');
}
