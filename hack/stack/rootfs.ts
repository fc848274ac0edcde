// Root filesystems made from what is installed on this machine, so images need nothing pulled
// from outside: the files of Debian packages with every shared library their programs load, and
// Debian's static busybox for a shell and the small tools. Paths stay as they are here (merged
// /usr links included) because programs look for their files and libraries where they were built.
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, lstat, mkdir, mkdtemp, open, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { packLayer, type Layer } from '../../src/builder/layer.js';
import { Registry, type ImageConfig } from '../../src/builder/registry.js';
import { PROJECT_DIR, cacheDir } from '../cluster/dirs.js';
import { cachedImage, pushedKey, pushImage, storeImage, type CachedImage } from './image-cache.js';
import { imageKey, type ImageInputs } from './image-key.js';

const SKIPPED = ['/usr/share/doc/', '/usr/share/man/', '/usr/share/locale/', '/usr/share/lintian/'];
const ROOT = { uid: 0, gid: 0, uname: 'root', gname: 'root' };

export interface User { name: string; id: number; home: string }

/** /etc/passwd and /etc/group with root and `users`, a sticky /tmp, and /bin, /lib... as links into /usr. */
export async function baseRootfs(root: string, users: User[]): Promise<void> {
  for (const d of ['etc', 'tmp', 'usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64']) await mkdir(join(root, d), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
  for (const d of ['bin', 'sbin', 'lib', 'lib64']) {
    if ((await lstat(`/${d}`)).isSymbolicLink()) await symlink(await readlink(`/${d}`), join(root, d));
    else await mkdir(join(root, d), { recursive: true });
  }
  const all = [{ name: 'root', id: 0, home: '/root' }, ...users];
  await writeFile(join(root, 'etc', 'passwd'), all.map((u) => `${u.name}:x:${u.id}:${u.id}:${u.name}:${u.home}:/bin/sh\n`).join(''));
  await writeFile(join(root, 'etc', 'group'), all.map((u) => `${u.name}:x:${u.id}:\n`).join(''));
}

export function installed(...packages: string[]): boolean {
  try {
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}\n', ...packages], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return status.split('\n').filter((s) => s.endsWith(' installed')).length === packages.length;
  } catch {
    return false; // dpkg does not know one of them
  }
}

/** Copies `path` from this machine to the same place under `root`; a link stays a link, and what it points to comes too. */
async function copyPath(root: string, path: string, copied: Set<string>): Promise<void> {
  if (copied.has(path)) return;
  copied.add(path);
  const st = await lstat(path);
  const to = join(root, path);
  if (st.isSymbolicLink()) {
    const target = await readlink(path);
    await mkdir(dirname(to), { recursive: true });
    await symlink(target, to).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
    const pointee = resolve(dirname(path), target);
    if (await lstat(pointee).catch(() => undefined)) await copyPath(root, pointee, copied); // a dangling link stays dangling
  } else if (st.isFile()) {
    await mkdir(dirname(to), { recursive: true });
    await copyFile(path, to);
  }
}

async function isElf(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.toString('latin1') === '\x7fELF';
  } finally {
    await fh.close();
  }
}

/** The libraries `ldd` says an ELF file loads, the dynamic loader among them; none for a static one. */
function libraries(file: string): string[] {
  let out: string;
  try {
    // A private library finds its siblings through the RUNPATH of the programs that load it.
    out = execFileSync('ldd', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LD_LIBRARY_PATH: dirname(file) } });
  } catch {
    return []; // not a dynamic executable
  }
  const missing = out.split('\n').find((l) => l.includes('=> not found'));
  if (missing) throw new Error(`${file} needs ${missing.trim()}`);
  return [...out.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]!);
}

/** The installed files of `packages` (less docs and the paths under `skip`) and the libraries they load. */
export async function addPackages(root: string, packages: string[], skip: string[] = []): Promise<void> {
  const copied = new Set<string>();
  const closure = new Set<string>();
  const skipped = [...SKIPPED, ...skip];
  for (const pkg of packages) {
    const files = execFileSync('dpkg', ['-L', pkg], { encoding: 'utf8' }).split('\n');
    for (const file of files.filter((f) => f.startsWith('/') && !skipped.some((s) => f.startsWith(s)))) {
      const st = await lstat(file).catch(() => undefined);
      if (!st || !(st.isFile() || st.isSymbolicLink())) continue; // a directory, or a file removed since
      await copyPath(root, file, copied);
      if (st.isFile() && await isElf(file)) for (const lib of libraries(file)) closure.add(lib);
    }
  }
  for (const lib of closure) await copyPath(root, lib, copied);
}

/** Debian's busybox-static: one binary, no libraries, so it runs in an otherwise empty image. */
export function staticBusybox(): boolean {
  try {
    execFileSync('ldd', ['/bin/busybox'], { stdio: 'ignore' });
    return false; // ldd found libraries: a dynamic busybox would not run alone
  } catch {
    try {
      execFileSync('/bin/busybox', ['true'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}

/** /bin/busybox with a link per applet; false, and nothing added, without a static busybox here. */
export async function addBusybox(root: string, applets: string[]): Promise<boolean> {
  if (!staticBusybox()) return false;
  await copyFile('/bin/busybox', join(root, 'bin', 'busybox'));
  for (const applet of applets) await symlink('busybox', join(root, 'bin', applet));
  return true;
}

export type ContainerConfig = NonNullable<ImageConfig['config']> & { ExposedPorts?: Record<string, object>; StopSignal?: string };

export interface ImageOptions {
  /** What the build reads besides the code that builds every image: the key covers only these. */
  inputs?: ImageInputs;
  /** One line per image: taken from the registry or the cache, or built (with its time). */
  log?: (message: string) => void;
  /** The dynokube cache (images go in its images/), $DYNOKUBE_CACHE by default. */
  cache?: string;
}

// The code every image is made by: a change to it may change any image.
const BUILD_CODE = ['rootfs.ts', 'image-key.ts', 'image-cache.ts'].map((f) => join(import.meta.dirname, f))
  .concat(join(PROJECT_DIR, 'src', 'builder', 'layer.ts'));

const stderrLog = (message: string): void => { process.stderr.write(`==> ${message}\n`); };

/**
 * Makes the registry's `ref` (`repository:tag`) the image `build` makes in an empty directory, as
 * one layer, with `config`: unless the registry has it from the same inputs already, from the
 * image cache, or else built and cached.
 */
export async function ensureImage(registryHost: string, ref: string, build: (root: string) => Promise<void>, config: ContainerConfig, opts: ImageOptions = {}): Promise<string> {
  const log = opts.log ?? stderrLog;
  const registry = new Registry(registryHost, { insecure: true });
  const [repository, tag] = ref.split(':') as [string, string];
  const keyed = await keyOf(ref, config, opts);
  if (await pushedKey(registry, repository, tag) === keyed.key) {
    log(`image ${ref}: up to date in the registry`);
    return ref;
  }
  await pushImage(registry, repository, tag, await cachedOrBuilt(ref, build, config, opts, keyed));
  return ref;
}

const keyOf = (ref: string, config: ContainerConfig, opts: ImageOptions) =>
  imageKey(ref, config, { ...opts.inputs, files: [...BUILD_CODE, ...opts.inputs?.files ?? []] });

/** The image `build` makes, as ensureImage makes it, from the image cache or else built and cached. */
export async function cachedOrBuilt(
  ref: string, build: (root: string) => Promise<void>, config: ContainerConfig, opts: ImageOptions = {},
  keyed?: { key: string; listing: string },
): Promise<CachedImage> {
  const log = opts.log ?? stderrLog;
  const { key, listing } = keyed ?? await keyOf(ref, config, opts);
  const root = join(opts.cache ?? cacheDir(), 'images');
  const image = await cachedImage(root, ref, key);
  if (image) {
    log(`image ${ref}: from the image cache`);
    return image;
  }
  const t0 = Date.now();
  const built = await storeImage(root, ref, key, listing, (layerFile) => buildLayer(ref, build, config, layerFile));
  log(`image ${ref}: built in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return built;
}

async function buildLayer(ref: string, build: (root: string) => Promise<void>, config: ContainerConfig, layerFile: string): Promise<{ layer: Layer; config: ImageConfig }> {
  const work = await mkdtemp(join(tmpdir(), 'dynokube-image-'));
  try {
    await build(join(work, 'rootfs'));
    const layer = await packLayer(join(work, 'rootfs'), '', layerFile, ROOT);
    return {
      layer,
      config: {
        architecture: 'amd64',
        os: 'linux',
        config,
        rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        history: [{ created: new Date(0).toISOString(), created_by: `dynokube ${ref}` }],
      },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
