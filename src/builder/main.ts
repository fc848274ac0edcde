// The build Job's entrypoint: fetch the pushed source, run the buildpacks (Heroku's classic API),
// make the slug image on the stack's run image, push it, and report the result through the
// termination message. Everything it needs comes from the environment (see api/builder.ts).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { BUILD_DIR, BuilderEnv, CACHE_DIR, ENV_DIR, TERMINATION_LOG, imageRepository, type BuildResult } from '../api/builder.js';
import { BuildError, compile, detect, release, resolveBuildpacks, type Buildpack } from './buildpacks.js';
import { restoreCache, saveCache } from './cache.js';
import { pushSlugImage } from './image.js';
import { packLayer } from './layer.js';
import { BuildLog } from './log.js';
import { ProcfileError, parseProcfile, type ProcessTypes } from './procfile.js';
import { Registry, parseReference } from './registry.js';

const BUILTIN_ORDER = ['heroku/python', 'heroku/nodejs', 'heroku/procfile'];

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new BuildError(`the build is misconfigured: ${name} is not set`);
  return v;
}

const elapsed = (t0: number) => (Date.now() - t0) / 1000;
const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)}K` : `${(bytes / 1024 / 1024).toFixed(1)}M`);

async function readEnvDir(dir: string): Promise<Record<string, string>> {
  if (!existsSync(dir)) return {};
  const vars: Record<string, string> = {};
  for (const name of await readdir(dir)) if (!name.startsWith('.')) vars[name] = (await readFile(join(dir, name), 'utf8')).trim();
  return vars;
}

async function fetchSource(url: string, dir: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new BuildError(`could not fetch the source: HTTP ${res.status}`);
  await mkdir(dir, { recursive: true });
  // node-tar refuses absolute paths, `..` and writes through symlinks: the archive stays in dir.
  await pipeline(Readable.fromWeb(res.body as never), tar.x({ cwd: dir }));
}

async function build(log: (l: string) => void): Promise<BuildResult> {
  const env = process.env;
  const app = need(BuilderEnv.app);
  const namespace = need(BuilderEnv.namespace);
  const buildDir = env[BuilderEnv.buildDir] ?? BUILD_DIR;
  const cacheDir = env[BuilderEnv.cacheDir] ?? CACHE_DIR;
  const envDir = env[BuilderEnv.envDir] ?? ENV_DIR;
  const stack = env[BuilderEnv.stack] ?? 'heroku-24';
  const registry = new Registry(need(BuilderEnv.registry), { insecure: env[BuilderEnv.registryInsecure] === 'true', username: env[BuilderEnv.registryUsername], password: env[BuilderEnv.registryPassword] });
  const repository = imageRepository(namespace, app);
  const work = await mkdtemp(join(tmpdir(), 'dynokube-build-'));
  const timingsFile = join(work, 'timings');
  const timings: NonNullable<BuildResult['timings']> = {};

  let t0 = Date.now();
  log('-----> Fetching source');
  await fetchSource(need(BuilderEnv.sourceUrl), buildDir);
  const restored = await restoreCache(registry, repository, cacheDir, env[BuilderEnv.cacheDigest] || undefined).catch((e: unknown) => {
    log(`       (no build cache: ${e instanceof Error ? e.message : String(e)})`);
    return false;
  });
  if (restored) log('-----> Restoring the build cache');
  timings.fetch = elapsed(t0);

  const config = await readEnvDir(envDir);
  const named = (config.BUILDPACK_URL ? [config.BUILDPACK_URL] : (env[BuilderEnv.buildpacks] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const builtinDir = env[BuilderEnv.buildpacksDir] ?? join(import.meta.dirname, '..', '..', 'buildpacks');
  let buildpacks: Buildpack[];
  let language: string;
  if (named.length) {
    buildpacks = await resolveBuildpacks(named, builtinDir, work, log);
    const first = await detect(buildpacks.slice(0, 1), buildDir);
    language = first?.language ?? buildpacks[0]!.name;
  } else {
    const found = await detect(await resolveBuildpacks(BUILTIN_ORDER, builtinDir, work, log), buildDir);
    if (!found) throw new BuildError('App not compatible with buildpack: no Procfile, requirements.txt, pyproject.toml or package.json found. Add a Procfile saying what to run.');
    buildpacks = [found.buildpack];
    language = found.language;
  }
  log(`-----> ${language} app detected`);

  t0 = Date.now();
  const compileEnv = { ...env, STACK: stack, SOURCE_VERSION: env[BuilderEnv.commit] ?? '', DYNOKUBE_TIMINGS: timingsFile };
  const defaults: ProcessTypes = {};
  for (const bp of buildpacks) {
    await compile(bp, buildDir, cacheDir, envDir, compileEnv, log, language);
    Object.assign(defaults, await release(bp, buildDir));
  }
  timings.compile = elapsed(t0);
  if (existsSync(timingsFile)) {
    const ms = (await readFile(timingsFile, 'utf8')).split('\n').map((l) => /^package-manager-ms (\d+)/.exec(l)?.[1]).filter(Boolean).map(Number);
    if (ms.length) timings.packageManager = ms.reduce((a, b) => a + b, 0) / 1000;
  }

  const procfile = join(buildDir, 'Procfile');
  let processTypes: ProcessTypes;
  try {
    processTypes = { ...defaults, ...(existsSync(procfile) ? parseProcfile(await readFile(procfile, 'utf8')) : {}) };
  } catch (e) {
    if (e instanceof ProcfileError) throw new BuildError(e.message, language);
    throw e;
  }
  log(`-----> Discovering process types`);
  log(`       Procfile declares types -> ${Object.keys(processTypes).join(', ') || '(none)'}`);

  t0 = Date.now();
  const saved = await saveCache(registry, repository, cacheDir, join(work, 'cache.tgz')).catch((e: unknown) => {
    log(`       (could not save the build cache: ${e instanceof Error ? e.message : String(e)})`);
    return undefined;
  });
  if (saved) log(`-----> Saved the build cache (${mib(saved.size)})`);
  log('-----> Compressing...');
  const slug = await packLayer(buildDir, 'app', join(work, 'slug.tgz'));
  log(`       Done: ${mib(slug.size)}`);
  log('-----> Launching...');
  const runImage = parseReference(`${registry.host}/${need(BuilderEnv.runImage)}`);
  const commit = env[BuilderEnv.commit] ?? '';
  const tag = commit ? commit.slice(0, 12) : `build-${Date.now()}`;
  const { digest } = await pushSlugImage({
    registry,
    base: { repository: runImage.repository, reference: runImage.reference },
    target: { repository, tag },
    slug,
    labels: { 'dynokube.dev/app': app, 'dynokube.dev/commit': commit, 'dynokube.dev/stack': stack },
    createdBy: `dynokube build ${env[BuilderEnv.build] ?? ''}`.trim(),
  });
  timings.image = elapsed(t0);
  const pullHost = env[BuilderEnv.pullRegistry] || registry.host;
  await rm(work, { recursive: true, force: true });
  return { ok: true, image: `${pullHost}/${repository}@${digest}`, processTypes, stack, language, timings, ...(saved ? { cacheDigest: saved.digest } : {}) };
}

async function main(): Promise<number> {
  const log = new BuildLog(process.env[BuilderEnv.logUrl]);
  let result: BuildResult;
  try {
    result = await build(log.line);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const language = e instanceof BuildError ? e.language : undefined;
    if (!(e instanceof BuildError && e.compileFailed)) log.line(` !     ${message}`);
    log.line(` !     Push rejected, failed to compile${language ? ` ${language}` : ''} app.`);
    result = { ok: false, error: message, ...(language ? { language } : {}) };
  }
  await writeFile(process.env[BuilderEnv.terminationLog] ?? TERMINATION_LOG, JSON.stringify(result).slice(0, 4096)).catch(() => undefined);
  await log.close();
  return result.ok ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`builder: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
