// The stack's run image, made here and pushed to the local registry so nothing is pulled from
// outside: the dyno user, /app, /tmp and, when the machine has Debian's static busybox, a shell
// and the usual tools (sh, httpd, ...) so Procfile apps run on a real node. Python and Node.js
// runtimes are not in it yet.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packLayer } from '../../src/builder/layer.js';
import { MEDIA, Registry, RegistryError, type ImageConfig } from '../../src/builder/registry.js';

export const RUN_IMAGE = 'dynokube/stack-heroku-24:run';

const ROOT = { uid: 0, gid: 0, uname: 'root', gname: 'root' };
const BUSYBOX_APPLETS = ['sh', 'env', 'echo', 'cat', 'ls', 'mkdir', 'sleep', 'id', 'httpd', 'wget', 'ps', 'kill', 'grep', 'sed', 'true', 'false', 'date', 'hostname', 'uname'];

/** Debian's busybox-static: one binary, no libraries, so it runs in an otherwise empty image. */
function staticBusybox(): boolean {
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

export async function ensureRunImage(registryHost: string): Promise<string> {
  const registry = new Registry(registryHost, { insecure: true });
  const [repository, tag] = RUN_IMAGE.split(':') as [string, string];
  try {
    await registry.manifest(repository, tag);
    return RUN_IMAGE;
  } catch (e) {
    if (!(e instanceof RegistryError && e.status === 404)) throw e;
  }
  const work = await mkdtemp(join(tmpdir(), 'dynokube-stack-'));
  try {
    const fs = join(work, 'rootfs');
    for (const d of ['etc', 'app', 'tmp']) await mkdir(join(fs, d), { recursive: true });
    await chmod(join(fs, 'tmp'), 0o1777);
    await writeFile(join(fs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\ndyno:x:1000:1000:dyno:/app:/bin/sh\n');
    await writeFile(join(fs, 'etc', 'group'), 'root:x:0:\ndyno:x:1000:\n');
    if (staticBusybox()) {
      await mkdir(join(fs, 'bin'), { recursive: true });
      await copyFile('/bin/busybox', join(fs, 'bin', 'busybox'));
      for (const applet of BUSYBOX_APPLETS) await symlink('busybox', join(fs, 'bin', applet));
    }
    const layer = await packLayer(fs, '', join(work, 'rootfs.tgz'), ROOT);
    await registry.putBlob(repository, layer.digest, { file: layer.file });
    const config: ImageConfig = {
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], WorkingDir: '/app', User: '1000:1000', Labels: { 'dynokube.dev/stack': 'heroku-24' } },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: new Date(0).toISOString(), created_by: 'dynokube hack/stack/run-image.ts' }],
    };
    const body = Buffer.from(JSON.stringify(config));
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    await registry.putBlob(repository, digest, body);
    await registry.putManifest(repository, tag, {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest, size: body.length },
      layers: [{ mediaType: MEDIA.ociLayerGzip, digest: layer.digest, size: layer.size }],
    });
    return RUN_IMAGE;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
