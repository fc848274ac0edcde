import { join } from 'node:path';

/** Where `make run` and `make cluster-up` keep the local cluster: .run/ in the repository. */
export const DEFAULT_DIR = process.env.DYNOKUBE_RUN_DIR ?? join(import.meta.dirname, '..', '..', '.run');
