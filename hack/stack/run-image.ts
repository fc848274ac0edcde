// The stack's run image, made here and pushed to the local registry so nothing is pulled from
// outside: the dyno user, /app, /tmp and, from what this machine has installed (see
// hack/node/install-deps.sh), Debian's static busybox for a shell and the usual tools (sh, httpd,
// nc, ...) and PostgreSQL's client tools (psql, pg_dump, ...), so Procfile apps run on a real node
// and can talk to their add-ons; for a real node also the stack's Python and Node.js (with npm),
// the same ones the builds use, so what a build installs runs. A fake node runs nothing: its
// registry gets the image without the runtimes, which is quicker to make.
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { addBusybox, addPackages, baseRootfs, ensureImage, installed, type ImageOptions } from './rootfs.js';

export const RUN_IMAGE = 'dynokube/stack-heroku-24:run';

const BUSYBOX_APPLETS = [
  'sh', 'env', 'echo', 'printf', 'cat', 'cp', 'mv', 'rm', 'ls', 'mkdir', 'sleep', 'id', 'httpd', 'wget', 'nc', 'nslookup', 'ps', 'kill',
  'grep', 'sed', 'tr', 'cut', 'head', 'tail', 'wc', 'true', 'false', 'date', 'hostname', 'uname',
];
const PG_CLIENT = 'postgresql-client-15';
const NPM = '/usr/lib/node_modules/npm';
const RUNTIMES = ['python3', 'python3-minimal', 'python3.11', 'python3.11-minimal', 'libpython3.11-minimal', 'libpython3.11-stdlib', 'nodejs'];
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Builds the run image's root filesystem in `root`, leaving out what this machine lacks. */
export async function buildRunRootfs(root: string, opts: { runtimes?: boolean } = {}): Promise<void> {
  await baseRootfs(root, [{ name: 'dyno', id: 1000, home: '/app' }]);
  await mkdir(join(root, 'app'));
  await addBusybox(root, BUSYBOX_APPLETS);
  if (installed(PG_CLIENT)) {
    await addPackages(root, [PG_CLIENT]);
    // Debian's /usr/bin/psql is a Perl wrapper picking a version: link the tools themselves instead.
    for (const tool of await readdir(join(root, PG_BIN))) await symlink(`${PG_BIN}/${tool}`, join(root, 'usr', 'bin', tool));
  }
  if (opts.runtimes) {
    const have = RUNTIMES.filter((p) => installed(p));
    if (have.length) await addPackages(root, have);
    // npm updates itself in place, past what dpkg lists: take it as it is.
    if (existsSync(NPM)) await cp(NPM, join(root, NPM), { recursive: true, verbatimSymlinks: true, force: true });
  }
}

export function ensureRunImage(registryHost: string, opts: { runtimes?: boolean } & Omit<ImageOptions, 'inputs'> = {}): Promise<string> {
  const { runtimes, ...options } = opts;
  const inputs = {
    packages: ['busybox-static', PG_CLIENT, ...(runtimes ? RUNTIMES : [])],
    files: [import.meta.filename, ...(runtimes ? [join(NPM, 'package.json')] : [])],
  };
  return ensureImage(registryHost, RUN_IMAGE, (root) => buildRunRootfs(root, { runtimes }), {
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
    WorkingDir: '/app',
    User: '1000:1000',
    Labels: { 'dynokube.dev/stack': 'heroku-24' },
  }, { ...options, inputs });
}
