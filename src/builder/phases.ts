// The build's three phases (see api/builder.ts): each takes what the last one handed off and
// returns what the next needs. Only restore and publish talk to the registry.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { BUILD_DIR, BuilderEnv, CACHE_DIR, ENV_DIR, imageRepository, splitRegistry, type BuildResult } from '../api/builder.js';
import { credentialsFor } from './docker-config.js';
import { BuildError, buildpackEnv, compile, detect, release, resolveBuildpacks, type Buildpack } from './buildpacks.js';
import { restoreCache, saveCache } from './cache.js';
import type { Handoff } from './handoff.js';
import { pushSlugImage } from './image.js';
import { packLayer } from './layer.js';
import { ProcfileError, parseProcfile, type ProcessTypes } from './procfile.js';
import { Registry, parseReference } from './registry.js';

const BUILTIN_ORDER = ['heroku/python', 'heroku/nodejs', 'heroku/procfile'];
type Log = (line: string) => void;

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new BuildError(`the build is misconfigured: ${name} is not set`);
  return v;
}

const elapsed = (t0: number) => (Date.now() - t0) / 1000;
const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)}K` : `${(bytes / 1024 / 1024).toFixed(1)}M`);
const dirs = () => ({
  buildDir: process.env[BuilderEnv.buildDir] ?? BUILD_DIR,
  cacheDir: process.env[BuilderEnv.cacheDir] ?? CACHE_DIR,
  envDir: process.env[BuilderEnv.envDir] ?? ENV_DIR,
});

/** The registry builds push to (`host[/path]`), signed in with a docker config.json or a username and password. */
function registry(): { registry: Registry; repository: string; base: string } {
  const env = process.env;
  const base = need(BuilderEnv.registry);
  const { host, path } = splitRegistry(base);
  const dockerConfig = env[BuilderEnv.registryDockerConfig];
  const credentials = dockerConfig ? credentialsFor(dockerConfig, host) : { username: env[BuilderEnv.registryUsername], password: env[BuilderEnv.registryPassword] };
  return {
    registry: new Registry(host, { insecure: env[BuilderEnv.registryInsecure] === 'true', ...credentials }),
    repository: imageRepository(need(BuilderEnv.namespace), need(BuilderEnv.app), path),
    base,
  };
}

async function fetchSource(url: string, dir: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new BuildError(`could not fetch the source: HTTP ${res.status}`);
  await mkdir(dir, { recursive: true });
  // node-tar refuses absolute paths, `..` and writes through symlinks: the archive stays in dir.
  await pipeline(Readable.fromWeb(res.body as never), tar.x({ cwd: dir }));
}

/** The source, and the app's build cache. */
export async function restorePhase(_prior: Handoff, log: Log): Promise<Handoff> {
  const { buildDir, cacheDir } = dirs();
  const { registry: reg, repository } = registry();
  const t0 = Date.now();
  log('-----> Fetching source');
  await fetchSource(need(BuilderEnv.sourceUrl), buildDir);
  const restored = await restoreCache(reg, repository, cacheDir, process.env[BuilderEnv.cacheDigest] || undefined).catch((e: unknown) => {
    log(`       (no build cache: ${e instanceof Error ? e.message : String(e)})`);
    return false;
  });
  if (restored) log('-----> Restoring the build cache');
  return { ok: true, timings: { fetch: elapsed(t0) } };
}

async function readEnvDir(dir: string): Promise<Record<string, string>> {
  if (!existsSync(dir)) return {};
  const vars: Record<string, string> = {};
  for (const name of await readdir(dir)) if (!name.startsWith('.')) vars[name] = (await readFile(join(dir, name), 'utf8')).trim();
  return vars;
}

/** The buildpacks: detect, compile, release, and the Procfile. */
export async function compilePhase(prior: Handoff, log: Log): Promise<Handoff> {
  const env = process.env;
  const { buildDir, cacheDir, envDir } = dirs();
  const stack = env[BuilderEnv.stack] ?? 'heroku-24';
  const work = await mkdtemp(join(tmpdir(), 'dynokube-compile-'));
  const timingsFile = join(work, 'timings');
  const config = await readEnvDir(envDir);
  const named = (config.BUILDPACK_URL ? [config.BUILDPACK_URL] : (env[BuilderEnv.buildpacks] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const builtinDir = env[BuilderEnv.buildpacksDir] ?? join(import.meta.dirname, '..', '..', 'buildpacks');
  const bpEnv = buildpackEnv(env, { STACK: stack, SOURCE_VERSION: env[BuilderEnv.commit] ?? '', DYNOKUBE_TIMINGS: timingsFile });
  let buildpacks: Buildpack[];
  let language: string;
  if (named.length) {
    buildpacks = await resolveBuildpacks(named, builtinDir, work, log);
    const first = await detect(buildpacks.slice(0, 1), buildDir, bpEnv);
    language = first?.language ?? buildpacks[0]!.name;
  } else {
    const found = await detect(await resolveBuildpacks(BUILTIN_ORDER, builtinDir, work, log), buildDir, bpEnv);
    if (!found) throw new BuildError('App not compatible with buildpack: no Procfile, requirements.txt, pyproject.toml or package.json found. Add a Procfile saying what to run.');
    buildpacks = [found.buildpack];
    language = found.language;
  }
  log(`-----> ${language} app detected`);

  const t0 = Date.now();
  const defaults: ProcessTypes = {};
  for (const bp of buildpacks) {
    await compile(bp, buildDir, cacheDir, envDir, bpEnv, log, language);
    Object.assign(defaults, await release(bp, buildDir, bpEnv));
  }
  const timings: Handoff['timings'] = { ...prior.timings, compile: elapsed(t0) };
  if (existsSync(timingsFile)) {
    const ms = (await readFile(timingsFile, 'utf8')).split('\n').map((l) => /^package-manager-ms (\d+)/.exec(l)?.[1]).filter(Boolean).map(Number);
    if (ms.length) timings.packageManager = ms.reduce((a, b) => a + b, 0) / 1000;
  }
  await rm(work, { recursive: true, force: true });

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
  return { ok: true, language, processTypes, timings };
}

/** The cache saved, the slug packed onto the run image and pushed: the build's result. */
export async function publishPhase(prior: Handoff, log: Log): Promise<BuildResult> {
  const env = process.env;
  const { buildDir, cacheDir } = dirs();
  const { registry: reg, repository, base } = registry();
  const app = need(BuilderEnv.app);
  const stack = env[BuilderEnv.stack] ?? 'heroku-24';
  const work = await mkdtemp(join(tmpdir(), 'dynokube-publish-'));
  const t0 = Date.now();
  const saved = await saveCache(reg, repository, cacheDir, join(work, 'cache.tgz')).catch((e: unknown) => {
    log(`       (could not save the build cache: ${e instanceof Error ? e.message : String(e)})`);
    return undefined;
  });
  if (saved) log(`-----> Saved the build cache (${mib(saved.size)})`);
  log('-----> Compressing...');
  const slug = await packLayer(buildDir, 'app', join(work, 'slug.tgz'));
  log(`       Done: ${mib(slug.size)}`);
  log('-----> Launching...');
  const runImage = parseReference(`${base}/${need(BuilderEnv.runImage)}`);
  const commit = env[BuilderEnv.commit] ?? '';
  const tag = commit ? commit.slice(0, 12) : `build-${Date.now()}`;
  const { digest } = await pushSlugImage({
    registry: reg,
    base: { repository: runImage.repository, reference: runImage.reference },
    target: { repository, tag },
    slug,
    labels: { 'dynokube.dev/app': app, 'dynokube.dev/commit': commit, 'dynokube.dev/stack': stack },
    createdBy: `dynokube build ${env[BuilderEnv.build] ?? ''}`.trim(),
  });
  await rm(work, { recursive: true, force: true });
  // Nodes pull from the pull registry, under its own path, when it differs.
  const pullBase = env[BuilderEnv.pullRegistry] || base;
  return {
    ok: true, image: `${pullBase}/${imageRepository(need(BuilderEnv.namespace), app)}@${digest}`, processTypes: prior.processTypes ?? {}, stack,
    ...(prior.language ? { language: prior.language } : {}),
    timings: { ...prior.timings, image: elapsed(t0) },
    ...(saved ? { cacheDigest: saved.digest } : {}),
  };
}
