// The kind path's images made as `make images` makes them, without a Docker daemon: buildah
// builds images/stack/Dockerfile (run, build) and images/Dockerfile (operator, receiver, builder)
// FROM base images made here (base-images.ts) under the names the Dockerfiles use, in a storage
// of its own under $DYNOKUBE_CACHE/buildah, then runs one of them. The Dockerfiles' own steps run
// for real (apt-get and npm fetch from Debian's and npm's registries); buildah's layer cache and a
// key over every input make an unchanged tree cost nothing.
//   node --import tsx hack/images/buildah.ts [--tag TAG]   dynokube's images as ghcr.io/dynokube/<name>:TAG (default buildah)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../exec.js';
import { PROJECT_DIR, cacheDir } from '../cluster/dirs.js';
import { dpkgPackages, imageKey } from '../stack/image-key.js';
import { CA_BUNDLE, DEBIAN, NODE, buildDebianRootfs, buildNodeRootfs, slimPackages } from './base-images.js';

const REPO = 'ghcr.io/dynokube';
const DEFAULT_TAG = 'buildah';
const KEY_LABEL = 'dynokube.dev/image-key';
/** What the Dockerfiles COPY, and what makes them. */
const CONTEXT = ['images', 'package.json', 'package-lock.json', 'tsconfig.json', 'src', 'hack', 'test', 'bench', 'e2e', 'buildpacks'];
const targets = (tag: string) => [
  { file: 'images/stack/Dockerfile', target: 'run', tag: `${REPO}/stack-debian-12:run` },
  { file: 'images/stack/Dockerfile', target: 'build', tag: `${REPO}/stack-debian-12:build` },
  ...['operator', 'receiver', 'router', 'builder', 'ingress'].map((t) => ({ file: 'images/Dockerfile', target: t, tag: `${REPO}/${t}:${tag}` })),
];

export interface BuildahResult {
  /** Per image: `built in Ns`, or `up to date`. */
  images: Record<string, string>;
  /** What running the operator image's --help printed. */
  ran: string;
}

const store = () => join(cacheDir(), 'buildah');

async function buildah(args: string[], log?: (line: string) => void): Promise<string> {
  const r = await exec('buildah', ['--root', join(store(), 'storage'), '--runroot', join(store(), 'run'), '--storage-driver', 'overlay', ...args], { cwd: PROJECT_DIR });
  if (r.code !== 0) {
    log?.(r.stdout.split('\n').slice(-30).join('\n'));
    throw new Error(`buildah ${args.slice(0, 2).join(' ')} failed: ${r.stderr.trim().split('\n').slice(-10).join('\n')}`);
  }
  return r.stdout;
}

/** The key label of a local image, or undefined when there is none. */
async function keyOf(ref: string): Promise<string | undefined> {
  try {
    return (await buildah(['inspect', '--type', 'image', '--format', `{{index .OCIv1.Config.Labels "${KEY_LABEL}"}}`, ref])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A base image from a root filesystem made here, unless one from the same inputs is there. */
async function ensureBase(ref: string, key: string, make: (root: string) => Promise<void>, env: string[]): Promise<boolean> {
  if (await keyOf(ref) === key) return false;
  const root = await mkdtemp(join(tmpdir(), 'dynokube-base-'));
  try {
    await make(root);
    const c = (await buildah(['from', 'scratch'])).trim();
    try {
      await buildah(['copy', c, `${root}/`, '/']);
      await buildah(['config', ...['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env].flatMap((e) => ['--env', e]), '--cmd', 'bash', '--label', `${KEY_LABEL}=${key}`, c]);
      await buildah(['commit', c, ref]);
    } finally {
      await buildah(['rm', c]); // a half-made container holds its layers
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return true;
}

export async function buildDockerfiles(log: (line: string) => void = (l) => process.stderr.write(`==> ${l}\n`), tag = DEFAULT_TAG): Promise<BuildahResult> {
  const images: Record<string, string> = {};
  const db = await dpkgPackages();
  const debianPackages = await slimPackages(db);
  const trust = [join(PROJECT_DIR, 'hack/images'), '/etc/apt/sources.list.d/debian.sources', CA_BUNDLE, '/usr/local/share/ca-certificates'];
  const debianKey = (await imageKey(DEBIAN.ref, {}, { packages: debianPackages, files: trust }, async () => db)).key;
  const nodeKey = (await imageKey(NODE.ref, { debianKey }, { packages: NODE.packages, files: ['/usr/lib/node_modules/npm/package.json'] }, async () => db)).key;
  const bases = [
    [DEBIAN.ref, debianKey, (r: string) => buildDebianRootfs(r, debianPackages), []],
    // Node.js reads the CAs the system trusts only when told to.
    [NODE.ref, nodeKey, (r: string) => buildNodeRootfs(r, debianPackages), [`NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`]],
  ] as const;
  for (const [ref, key, make, env] of bases) {
    const t0 = Date.now();
    images[ref] = await ensureBase(ref, key, make, [...env]) ? `made here in ${Math.round((Date.now() - t0) / 1000)}s` : 'up to date';
    log(`image ${ref}: ${images[ref]}`);
  }
  // Every image's key: the bases' and the build context's, so an unchanged tree builds nothing.
  const key = (await imageKey('dockerfiles', { debianKey, nodeKey }, { files: CONTEXT.map((p) => join(PROJECT_DIR, p)) })).key;
  for (const t of targets(tag)) {
    if (await keyOf(t.tag) === key) {
      images[t.tag] = 'up to date';
    } else {
      const t0 = Date.now();
      await buildah(['bud', '--layers', '--pull=never', '--isolation', 'chroot', '-f', t.file, '--target', t.target, '-t', t.tag,
        '--build-arg', `STACK_BUILD_IMAGE=${REPO}/stack-debian-12:build`, '--label', `${KEY_LABEL}=${key}`, '.'], log);
      images[t.tag] = `built in ${Math.round((Date.now() - t0) / 1000)}s`;
    }
    log(`image ${t.tag}: ${images[t.tag]}`);
  }
  // Images a rebuild took the tags from are left with no name (the layer cache keeps the ones it
  // builds on): without this every change to the sources kept 3 GB more.
  await buildah(['rmi', '--prune']);
  const c = (await buildah(['from', '--pull=never', `${REPO}/operator:${tag}`])).trim();
  try {
    const ran = await buildah(['run', '--isolation', 'chroot', c, '--', 'node', '/opt/dynokube/dist/src/operator/main.js', '--help']);
    return { images, ran };
  } finally {
    await buildah(['rm', c]);
  }
}

if (process.argv[1] === import.meta.filename) {
  const at = process.argv.indexOf('--tag');
  buildDockerfiles(undefined, at > 0 ? process.argv[at + 1] : DEFAULT_TAG).then((r) => process.stdout.write(r.ran), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
