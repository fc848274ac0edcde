// The build Job's entrypoint: fetch the pushed source, run the buildpacks (Heroku's classic API),
// make the slug image on the stack's run image, push it, and report the result through the
// termination message. Everything it needs comes from the environment (see api/builder.ts).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { BUILD_DIR, BuilderEnv, CACHE_DIR, ENV_DIR, TERMINATION_LOG, imageRepository, type BuildResult } from '../api/builder.js';
import { chooseBuildpacks } from './buildpack-ref.js';
import { BuildError, compile, detect, detectOne, release, resolveBuildpacks, type Buildpack } from './buildpacks.js';
import { restoreCache, saveCache, type RestoredCache } from './cache.js';
import { pushSlugImage } from './image.js';
import { BuildLog } from './log.js';
import { ProcfileError, parseProcfile, type ProcessTypes } from './procfile.js';
import { Registry, parseReference } from './registry.js';
import { pushSlugLayers } from './slug.js';

const BUILTIN_ORDER = ['heroku/python', 'heroku/nodejs', 'heroku/procfile'];

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new BuildError(`the build is misconfigured: ${name} is not set`);
  return v;
}

const elapsed = (t0: number) => (Date.now() - t0) / 1000;
const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)}K` : `${(bytes / 1024 / 1024).toFixed(1)}M`);

/** The builder's environment less its own settings: buildpacks are user code, and some of those are credentials. */
function withoutPlatformVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('DYNOKUBE_')));
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
  const stack = need(BuilderEnv.stack);
  const registry = new Registry(need(BuilderEnv.registry), { insecure: env[BuilderEnv.registryInsecure] === 'true', username: env[BuilderEnv.registryUsername], password: env[BuilderEnv.registryPassword] });
  const repository = imageRepository(namespace, app);
  const work = await mkdtemp(join(tmpdir(), 'dynokube-build-'));
  const timingsFile = join(work, 'timings');
  const timings: NonNullable<BuildResult['timings']> = {};

  let t0 = Date.now();
  log('-----> Fetching source');
  const [, cache] = await Promise.all([
    fetchSource(need(BuilderEnv.sourceUrl), buildDir),
    restoreCache(registry, repository, cacheDir).catch((e: unknown): RestoredCache => {
      log(`       (no build cache: ${e instanceof Error ? e.message : String(e)})`);
      return { restored: false, memo: {}, restoredLayers: new Map(), restoredAt: 0n };
    }),
  ]);
  if (cache.restored) log('-----> Restoring the build cache');
  timings.fetch = elapsed(t0);

  const buildpackEnv = { ...withoutPlatformVars(env), HOME: join(work, 'home'), STACK: stack, SOURCE_VERSION: env[BuilderEnv.commit] ?? '', DYNOKUBE_TIMINGS: timingsFile };
  await mkdir(buildpackEnv.HOME, { recursive: true });
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
      const language = await detectOne(buildpack, buildDir, buildpackEnv);
      if (!language) throw new BuildError(`App not compatible with buildpack: ${buildpack.name} (its bin/detect does not recognise this app)`);
      steps.push({ buildpack, language });
    }
  } else {
    const found = await detect(await resolveBuildpacks(BUILTIN_ORDER, builtinDir, work, log), buildDir, buildpackEnv);
    if (!found) throw new BuildError('App not compatible with buildpack: no Procfile, requirements.txt, pyproject.toml or package.json found. Add a Procfile saying what to run.');
    steps.push(found);
  }
  const language = steps.map((s) => s.language).join(', ');

  t0 = Date.now();
  const exports: string[] = [];
  for (const step of steps) {
    log(`-----> ${step.language} app detected`);
    const exported = await compile(step.buildpack, { build: buildDir, cache: cacheDir, env: envDir }, exports, buildpackEnv, log, step.language);
    if (exported) exports.push(exported);
  }
  // As on Heroku, the last buildpack's bin/release says what runs when the Procfile does not.
  const defaults = await release(steps.at(-1)!.buildpack, buildDir, buildpackEnv);
  timings.compile = elapsed(t0);
  Object.assign(timings, await readTimings(timingsFile));

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

  t0 = Date.now();
  log('-----> Compressing...');
  const slug = await pushSlugLayers(registry, repository, buildDir, cache.memo, work);
  const slugSize = slug.reduce((a, l) => a + l.size, 0);
  const reused = slug.filter((l) => l.reused).map((l) => l.holds);
  log(`       Done: ${mib(slugSize)}${reused.length ? ` (unchanged: ${reused.join(', ')})` : ''}`);
  log('-----> Launching...');
  const runImage = parseReference(`${registry.host}/${need(BuilderEnv.runImage)}`);
  const commit = env[BuilderEnv.commit] ?? '';
  const tag = commit ? commit.slice(0, 12) : `build-${Date.now()}`;
  const [{ digest }, saved] = await Promise.all([
    pushSlugImage({
      registry,
      base: { repository: runImage.repository, reference: runImage.reference },
      target: { repository, tag },
      slug,
      labels: { 'dynokube.dev/app': app, 'dynokube.dev/commit': commit, 'dynokube.dev/stack': stack },
      createdBy: `dynokube build ${env[BuilderEnv.build] ?? ''}`.trim(),
    }),
    saveCache(registry, repository, cacheDir, work, cache, slug).catch((e: unknown) => {
      log(`       (could not save the build cache: ${e instanceof Error ? e.message : String(e)})`);
      return undefined;
    }),
  ]);
  if (saved) log(`       Build cache: ${mib(saved.total)}${saved.pushed < saved.total ? `, of which ${mib(saved.pushed)} changed` : ''}`);
  timings.image = elapsed(t0);
  const pullHost = env[BuilderEnv.pullRegistry] || registry.host;
  await rm(work, { recursive: true, force: true });
  return { ok: true, image: `${pullHost}/${repository}@${digest}`, processTypes, stack, language, timings };
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
