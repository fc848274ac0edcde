// The build's three phases (see api/builder.ts): each takes what the last one handed off and
// returns what the next needs. Only restore and publish talk to the registry.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { BUILD_DIR, BuilderEnv, CACHE_DIR, ENV_DIR, imageRepository, splitRegistry, type BuildResult } from '../api/builder.js';
import { chooseBuildpacks } from './buildpack-ref.js';
import { credentialsFor } from './docker-config.js';
import { BuildError, buildpackEnv, compile, detect, detectOne, release, resolveBuildpacks, type Buildpack } from './buildpacks.js';
import { NO_CACHE, cacheLayers, restoreCache, saveCache } from './cache.js';
import type { Handoff } from './handoff.js';
import { pushSlugImage } from './image.js';
import { ProcfileError, parseProcfile, type ProcessTypes } from './procfile.js';
import { Registry, parseReference } from './registry.js';
import { pushSlugLayers } from './slug.js';

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

/** The source, and the app's build cache, fetched side by side. */
export async function restorePhase(_prior: Handoff, log: Log): Promise<Handoff> {
  const { buildDir, cacheDir } = dirs();
  const { registry: reg, repository } = registry();
  const t0 = Date.now();
  log('-----> Fetching source');
  const [, restoredAt] = await Promise.all([
    fetchSource(need(BuilderEnv.sourceUrl), buildDir),
    restoreCache(reg, repository, cacheDir, process.env[BuilderEnv.cacheDigest] || undefined).catch((e: unknown) => {
      log(`       (no build cache: ${e instanceof Error ? e.message : String(e)})`);
      return false as const;
    }),
  ]);
  if (restoredAt !== false) log('-----> Restoring the build cache');
  return { ok: true, timings: { fetch: elapsed(t0) }, ...(restoredAt !== false ? { cacheRestoredAt: restoredAt.toString() } : {}) };
}

/** What the buildpacks wrote to the timings file (`<what>-ms <n>` lines), in seconds. */
async function readTimings(file: string): Promise<Pick<NonNullable<BuildResult['timings']>, 'packageManager' | 'runtime' | 'app'>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const sum = (what: string) => {
    const ms = [...text.matchAll(new RegExp(`^${what}-ms (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
    return ms.length ? { [what === 'package-manager' ? 'packageManager' : what]: ms.reduce((a, b) => a + b, 0) / 1000 } : {};
  };
  return { ...sum('package-manager'), ...sum('runtime'), ...sum('app') };
}

/**
 * The buildpacks (user code: this phase has no registry credential): chosen from BUILDPACK_URL,
 * the App's buildpacks or a .buildpacks file (else detected among the built-in ones), fetched
 * when given by URL, each detecting and compiling in turn after the exports of those before it;
 * the last one's bin/release and the Procfile give the process types.
 */
export async function compilePhase(prior: Handoff, log: Log): Promise<Handoff> {
  const env = process.env;
  const { buildDir, cacheDir, envDir } = dirs();
  const stack = need(BuilderEnv.stack);
  const work = await mkdtemp(join(tmpdir(), 'dynokube-compile-'));
  const timingsFile = join(work, 'timings');
  const bpEnv = buildpackEnv(env, { HOME: join(work, 'home'), STACK: stack, SOURCE_VERSION: env[BuilderEnv.commit] ?? '', DYNOKUBE_TIMINGS: timingsFile });
  await mkdir(bpEnv.HOME!, { recursive: true });
  const dotBuildpacks = join(buildDir, '.buildpacks');
  const choice = chooseBuildpacks({
    configVar: await readFile(join(envDir, 'BUILDPACK_URL'), 'utf8').catch(() => undefined),
    spec: (env[BuilderEnv.buildpacks] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    file: existsSync(dotBuildpacks) ? await readFile(dotBuildpacks, 'utf8') : undefined,
  });
  log(`-----> Building on the ${stack} stack`);
  const builtinDir = env[BuilderEnv.buildpacksDir] ?? join(import.meta.dirname, '..', '..', 'buildpacks');
  const steps: { buildpack: Buildpack; language: string }[] = [];
  if (choice.names.length) {
    const buildpacks = await resolveBuildpacks(choice.names, builtinDir, work, log);
    log(`-----> Using buildpacks from ${choice.from}:`);
    buildpacks.forEach((bp, i) => log(`       ${i + 1}. ${bp.name}`));
    for (const buildpack of buildpacks) {
      const language = await detectOne(buildpack, buildDir, bpEnv);
      if (!language) throw new BuildError(`App not compatible with buildpack: ${buildpack.name} (its bin/detect does not recognise this app)`);
      steps.push({ buildpack, language });
    }
  } else {
    const found = await detect(await resolveBuildpacks(BUILTIN_ORDER, builtinDir, work, log), buildDir, bpEnv);
    if (!found) throw new BuildError('App not compatible with buildpack: no Procfile, requirements.txt, pyproject.toml or package.json found. Add a Procfile saying what to run.');
    steps.push(found);
  }
  const language = steps.map((s) => s.language).join(', ');

  const t0 = Date.now();
  const exports: string[] = [];
  for (const step of steps) {
    log(`-----> ${step.language} app detected`);
    const exported = await compile(step.buildpack, { build: buildDir, cache: cacheDir, env: envDir }, exports, bpEnv, log, step.language);
    if (exported) exports.push(exported);
  }
  // As on Heroku, the last buildpack's bin/release says what runs when the Procfile does not.
  const defaults = await release(steps.at(-1)!.buildpack, buildDir, bpEnv);
  const timings: Handoff['timings'] = { ...prior.timings, compile: elapsed(t0), ...(await readTimings(timingsFile)) };
  await rm(work, { recursive: true, force: true });

  const procfile = join(buildDir, 'Procfile');
  let declared: ProcessTypes = {};
  log(`-----> Discovering process types`);
  if (existsSync(procfile)) {
    try {
      const parsed = parseProcfile(await readFile(procfile, 'utf8'));
      for (const w of parsed.warnings) log(` !     ${w}`);
      declared = parsed.types;
    } catch (e) {
      if (e instanceof ProcfileError) throw new BuildError(e.message, language);
      throw e;
    }
  }
  const processTypes: ProcessTypes = { ...defaults, ...declared };
  const fromDefaults = Object.keys(defaults).filter((t) => !(t in declared));
  log(`       Procfile declares types -> ${Object.keys(declared).join(', ') || '(none)'}`);
  if (fromDefaults.length) log(`       Default types for buildpack -> ${fromDefaults.join(', ')}`);
  return { ok: true, language, processTypes, timings, ...(prior.cacheRestoredAt ? { cacheRestoredAt: prior.cacheRestoredAt } : {}) };
}

/**
 * The slug's layers (those unchanged since the last build reused as pushed), the image on the run
 * image and the build cache, pushed side by side: the build's result. What the last build pushed
 * is read from the cache the operator recorded, never from the handoff the buildpacks could write.
 */
export async function publishPhase(prior: Handoff, log: Log): Promise<BuildResult> {
  const env = process.env;
  const { buildDir, cacheDir } = dirs();
  const { registry: reg, repository, base } = registry();
  const app = need(BuilderEnv.app);
  const stack = need(BuilderEnv.stack);
  const work = await mkdtemp(join(tmpdir(), 'dynokube-publish-'));
  const t0 = Date.now();
  const previous = await cacheLayers(reg, repository, env[BuilderEnv.cacheDigest] || undefined).catch((e: unknown) => {
    log(`       (the last build cache is unreadable, every layer is packed anew: ${e instanceof Error ? e.message : String(e)})`);
    return NO_CACHE;
  });
  log('-----> Compressing...');
  const slug = await pushSlugLayers(reg, repository, buildDir, previous.memo, work);
  const slugSize = slug.reduce((a, l) => a + l.size, 0);
  const reused = slug.filter((l) => l.reused).map((l) => l.holds);
  log(`       Done: ${mib(slugSize)}${reused.length ? ` (unchanged: ${reused.join(', ')})` : ''}`);
  log('-----> Launching...');
  const runImage = parseReference(`${base}/${need(BuilderEnv.runImage)}`);
  const commit = env[BuilderEnv.commit] ?? '';
  const tag = commit ? commit.slice(0, 12) : `build-${Date.now()}`;
  const restoredAt = prior.cacheRestoredAt ? BigInt(prior.cacheRestoredAt) : undefined;
  const [{ digest }, saved] = await Promise.all([
    pushSlugImage({
      registry: reg,
      base: { repository: runImage.repository, reference: runImage.reference },
      target: { repository, tag },
      slug,
      labels: { 'dynokube.dev/app': app, 'dynokube.dev/commit': commit, 'dynokube.dev/stack': stack },
      createdBy: `dynokube build ${env[BuilderEnv.build] ?? ''}`.trim(),
    }),
    saveCache(reg, repository, cacheDir, work, previous, restoredAt, slug).catch((e: unknown) => {
      log(`       (could not save the build cache: ${e instanceof Error ? e.message : String(e)})`);
      return undefined;
    }),
  ]);
  if (saved) log(`       Build cache: ${mib(saved.total)}${saved.pushed < saved.total ? `, of which ${mib(saved.pushed)} changed` : ''}`);
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
