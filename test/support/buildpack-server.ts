// Buildpacks by URL where builds can reach them: an HTTP server on this machine serving git
// repositories over git's smart HTTP (git upload-pack, as GitHub serves them: shallow clones of a
// branch or tag work) and tarballs as files. Builds on a real node reach it on the node's address.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { exec } from '../../hack/exec.js';
import { runGit } from './git.js';

export interface BuildpackServer {
  url: string;
  dir: string;
  close: () => Promise<void>;
}

/** A buildpack's files, path to content; files under bin/ are made executable. */
export type BuildpackFiles = Record<string, string>;

const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;

export async function startBuildpackServer(host: string): Promise<BuildpackServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dynokube-buildpacks-'));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const repo = /^\/([a-z0-9-]+\.git)\/(info\/refs|git-upload-pack)$/.exec(url.pathname);
    if (repo) {
      const advertise = repo[2] === 'info/refs';
      if (advertise && url.searchParams.get('service') !== 'git-upload-pack') return void res.writeHead(403).end();
      const child = spawn('git', ['upload-pack', '--stateless-rpc', ...(advertise ? ['--advertise-refs'] : []), '--', join(dir, repo[1]!)], { stdio: ['pipe', 'pipe', 'ignore'] });
      res.writeHead(200, { 'Content-Type': `application/x-git-upload-pack-${advertise ? 'advertisement' : 'result'}`, 'Cache-Control': 'no-cache' });
      if (advertise) {
        res.write(`${pkt('# service=git-upload-pack\n')}0000`);
        child.stdin.end();
      } else {
        const body = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip()) : req;
        body.pipe(child.stdin);
      }
      child.stdout.pipe(res);
      return;
    }
    const file = join(dir, url.pathname.replace(/^\/+/, ''));
    if (!/^\/[a-z0-9-]+\.tgz$/.test(url.pathname) || !existsSync(file)) return void res.writeHead(404, 'Not Found').end();
    res.writeHead(200, { 'Content-Type': 'application/gzip' });
    void pipeline(createReadStream(file), res).catch(() => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://${host}:${port}`, dir, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function writeBuildpack(dir: string, files: BuildpackFiles): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
    if (path.startsWith('bin/')) await chmod(join(dir, path), 0o755);
  }
}

/** Serves a bare git repository `<name>.git` whose tag `tag` holds `tagged` and whose main branch holds `latest`. */
export async function serveGitBuildpack(server: BuildpackServer, name: string, tag: string, tagged: BuildpackFiles, latest: BuildpackFiles): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), `dynokube-bp-${name}-`));
  await runGit(['init', '--quiet', '-b', 'main'], work);
  await writeBuildpack(work, tagged);
  await runGit(['add', '-A'], work);
  await runGit(['commit', '--quiet', '-m', tag], work);
  await runGit(['tag', tag], work);
  await writeBuildpack(work, latest);
  await runGit(['commit', '--quiet', '-am', 'latest'], work);
  await runGit(['clone', '--quiet', '--bare', work, join(server.dir, `${name}.git`)], tmpdir());
  return `${server.url}/${name}.git`;
}

/** Serves `<name>.tgz`, a tarball with the buildpack in a top folder, as GitHub's archives have it. */
export async function serveTarballBuildpack(server: BuildpackServer, name: string, files: BuildpackFiles): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), `dynokube-bp-${name}-`));
  await writeBuildpack(join(work, `${name}-main`), files);
  const r = await exec('tar', ['-czf', join(server.dir, `${name}.tgz`), '-C', work, `${name}-main`]);
  if (r.code !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return `${server.url}/${name}.tgz`;
}
