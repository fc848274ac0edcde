// The add-ons' images, PostgreSQL and Redis, made from Debian's packages installed on this
// machine (see hack/node/install-deps.sh) and pushed to the local registry like the run image:
// the servers with their libraries, a busybox shell for the entrypoint, the service user (uid
// and gid 999, which the add-on's pod runs as) and a data directory anyone can write, as a fresh
// volume is.
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addBusybox, addPackages, baseRootfs, ensureImage, installed, type ContainerConfig, type ImageOptions } from '../stack/rootfs.js';

export const POSTGRESQL_IMAGE = 'dynokube/addon-postgresql:15';
export const REDIS_IMAGE = 'dynokube/addon-redis:7';

const SERVICE_ID = 999;
const APPLETS = ['sh', 'cat', 'echo', 'env', 'id', 'kill', 'ls', 'mkdir', 'mktemp', 'printf', 'ps', 'rm', 'sleep'];
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_PACKAGES = ['postgresql-15', 'postgresql-client-15', 'tzdata'];
// The JIT needs LLVM (100 MB); without llvmjit.so PostgreSQL just runs queries without it.
const PG_SKIPPED = ['/usr/lib/postgresql/15/lib/llvmjit', '/usr/lib/postgresql/15/lib/bitcode'];
const REDIS_PACKAGES = ['redis-server', 'redis-tools'];

interface Addon { user: string; home: string; data: string; packages: string[]; skip?: string[]; entrypoint: string }

/** Builds an add-on's root filesystem in `root`; throws when this machine lacks its packages. */
async function buildAddonRootfs(root: string, addon: Addon): Promise<void> {
  if (!installed(...addon.packages)) throw new Error(`the add-on images need ${addon.packages.join(', ')}: run hack/node/install-deps.sh`);
  await baseRootfs(root, [{ name: addon.user, id: SERVICE_ID, home: addon.home }]);
  await addPackages(root, addon.packages, addon.skip);
  if (!await addBusybox(root, APPLETS)) throw new Error('the add-on images need a static busybox: run hack/node/install-deps.sh');
  await mkdir(join(root, addon.data), { recursive: true });
  await chmod(join(root, addon.data), 0o777);
  await copyFile(fileURLToPath(new URL(addon.entrypoint, import.meta.url)), join(root, 'entrypoint.sh'));
  await chmod(join(root, 'entrypoint.sh'), 0o755);
}

export const buildPostgresqlRootfs = (root: string): Promise<void> => buildAddonRootfs(root, {
  user: 'postgres', home: '/var/lib/postgresql', data: '/var/lib/postgresql/data', packages: PG_PACKAGES, skip: PG_SKIPPED, entrypoint: 'postgresql-entrypoint.sh',
});

export const buildRedisRootfs = (root: string): Promise<void> => buildAddonRootfs(root, {
  user: 'redis', home: '/data', data: '/data', packages: REDIS_PACKAGES, entrypoint: 'redis-entrypoint.sh',
});

function serviceConfig(addon: string, port: number, path: string): ContainerConfig {
  return {
    Env: [`PATH=${path}`],
    Entrypoint: ['/entrypoint.sh'],
    User: `${SERVICE_ID}:${SERVICE_ID}`,
    ExposedPorts: { [`${port}/tcp`]: {} },
    Labels: { 'dynokube.dev/addon': addon },
  };
}

/** What an add-on's image is made from, besides the code that makes every image: this directory holds its code and entrypoint. */
const inputs = (packages: string[]): ImageOptions['inputs'] => ({ packages: [...packages, 'busybox-static'], files: [import.meta.dirname] });

export async function ensureAddonImages(registryHost: string, opts: Omit<ImageOptions, 'inputs'> = {}): Promise<{ postgresql: string; redis: string }> {
  const pg = serviceConfig('postgresql', 5432, `${PG_BIN}:/usr/local/bin:/usr/bin:/bin`);
  const redis = serviceConfig('redis', 6379, '/usr/local/bin:/usr/bin:/bin');
  return {
    postgresql: await ensureImage(registryHost, POSTGRESQL_IMAGE, buildPostgresqlRootfs, pg, { ...opts, inputs: inputs(PG_PACKAGES) }),
    redis: await ensureImage(registryHost, REDIS_IMAGE, buildRedisRootfs, redis, { ...opts, inputs: inputs(REDIS_PACKAGES) }),
  };
}
