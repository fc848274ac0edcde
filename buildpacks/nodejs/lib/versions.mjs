// The Node.js buildpack's decisions, in the stack's Node.js: which Node.js release an app gets,
// which npm goes with it, and which package manager installs its dependencies. Version ranges
// are read by npm's own semver (the stack's npm carries it), so they mean what they mean to npm.
//   node versions.mjs node-version RANGE < versions.json     -> "<version> <why>"
//   node versions.mjs npm-fits NODE ENGINES                  -> "yes" when an npm with those engines runs on NODE
//   node versions.mjs npm-version NODE REQUEST STACK_NPM STACK_NPM_ENGINES < npm-versions.json (version, engines)
//   node versions.mjs newest < versions.json                 -> the newest stable version
//   node versions.mjs package-manager BUILD_DIR              -> "<npm|yarn|berry|pnpm> <version range or -> <lock file or ->"
// A refusal is one line on stderr and exit status 1.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export class Refusal extends Error {}

const stable = (semver, versions) => versions.filter((v) => semver.valid(v) && !semver.prerelease(v));

/**
 * The newest LTS line: Node.js gives even majors long-term support, from the release of the
 * next major on (its October); so the newest even major that a newer major has followed.
 */
export function newestLts(semver, versions) {
  const all = stable(semver, versions);
  const majors = [...new Set(all.map((v) => semver.major(v)))].sort((a, b) => a - b);
  const top = majors.at(-1);
  const lts = majors.filter((m) => m % 2 === 0 && top > m).at(-1);
  if (lts === undefined) throw new Refusal('the registry serves no LTS release of Node.js');
  return semver.maxSatisfying(all, `${lts}.x`);
}

/** The release for engines.node (the newest that satisfies it), or the newest LTS; with why. */
export function nodeVersion(semver, range, versions) {
  const all = stable(semver, versions);
  if (!range) return { version: newestLts(semver, all), why: 'the newest LTS release, as package.json has no engines.node' };
  if (!semver.validRange(range)) throw new Refusal(`package.json's engines.node ${JSON.stringify(range)} is not a version range (such as 22.x or >=20 <23)`);
  const version = semver.maxSatisfying(all, range);
  if (!version) {
    const sorted = semver.sort([...all]);
    throw new Refusal(`package.json asks for Node.js ${range} (engines.node), which no release matches: the registry has Node.js ${sorted[0]} to ${sorted.at(-1)}`);
  }
  return { version, why: `the newest release that satisfies engines.node ${range}` };
}

/**
 * The npm to go with Node.js `node`: engines.npm's newest match if asked, else the stack's own npm
 * when it runs on that Node.js, else the newest npm whose engines.node accepts it.
 */
export function npmVersion(semver, node, request, stackNpm, candidates) {
  if (request) {
    if (!semver.validRange(request)) throw new Refusal(`package.json's engines.npm ${JSON.stringify(request)} is not a version range`);
    const version = semver.maxSatisfying(stable(semver, candidates.map((c) => c.version)), request);
    if (!version) throw new Refusal(`package.json asks for npm ${request} (engines.npm), which no npm release matches`);
    return { version, why: `the newest release that satisfies engines.npm ${request}` };
  }
  if (!stackNpm.engines || semver.satisfies(node, stackNpm.engines)) return { version: stackNpm.version, why: 'the stack\'s npm' };
  const fits = stable(semver, candidates.filter((c) => !c.engines?.node || semver.satisfies(node, c.engines.node)).map((c) => c.version));
  const version = semver.maxSatisfying(fits, '*');
  if (!version) throw new Refusal(`no npm release runs on Node.js ${node}: ask for a newer Node.js in engines.node`);
  return { version, why: `the newest npm that runs on Node.js ${node}` };
}

const LOCKS = { 'package-lock.json': 'npm', 'npm-shrinkwrap.json': 'npm', 'yarn.lock': 'yarn', 'pnpm-lock.yaml': 'pnpm' };
const UNSUPPORTED_LOCKS = { 'bun.lockb': 'bun', 'bun.lock': 'bun' };
const MANAGERS = ['npm', 'yarn', 'pnpm'];

/** Yarn 2 and later ("Berry") writes a __metadata block in yarn.lock; Yarn 1 never does. */
const isBerryLock = (text) => /^__metadata:/m.test(text);

/**
 * The package manager, as Heroku chooses it: packageManager in package.json, else the lock file;
 * one lock file only. `files` maps the app's top-level file names to their text (lock files only).
 */
export function packageManager(pkg, files) {
  const locks = Object.keys(LOCKS).filter((f) => f in files && !(f === 'npm-shrinkwrap.json' && 'package-lock.json' in files));
  const unsupported = Object.keys(UNSUPPORTED_LOCKS).find((f) => f in files);
  if (unsupported && !locks.length && !pkg.packageManager) throw new Refusal(`${unsupported} is the lock file of ${UNSUPPORTED_LOCKS[unsupported]}, which this buildpack does not support: use npm, Yarn or pnpm`);
  if (locks.length > 1) throw new Refusal(`the app has two lock files, ${locks.join(' and ')}: delete the one of the package manager you do not use`);
  const lock = locks[0] ?? '';
  const fromLock = lock ? LOCKS[lock] : undefined;
  let name;
  let request = '';
  if (pkg.packageManager !== undefined) {
    const m = /^(@?[^@\s]+)@([^+\s]+)(\+\S*)?$/.exec(String(pkg.packageManager));
    if (!m) throw new Refusal(`package.json's packageManager ${JSON.stringify(pkg.packageManager)} is not <name>@<version>, such as pnpm@9.12.0`);
    if (!MANAGERS.includes(m[1])) throw new Refusal(`package.json's packageManager names ${m[1]}, which this buildpack does not support: use npm, yarn or pnpm`);
    name = m[1];
    request = m[2];
    if (fromLock && fromLock !== name) throw new Refusal(`package.json's packageManager names ${name}, but the lock file is ${lock} (${fromLock}'s): keep the two in agreement`);
  } else {
    name = fromLock ?? 'npm';
    request = pkg.engines?.[name] ?? '';
  }
  if (name === 'yarn') {
    const berry = (lock && isBerryLock(files[lock] ?? '')) || '.yarnrc.yml' in files || (request && /^\d/.test(request) && Number(request.split('.')[0]) >= 2);
    if (berry) name = 'berry';
  }
  return { name, request, lock };
}

/** The app's files that decide the package manager, read from its directory. */
function appFiles(dir) {
  const files = {};
  for (const f of [...Object.keys(LOCKS), ...Object.keys(UNSUPPORTED_LOCKS), '.yarnrc.yml']) {
    const path = join(dir, f);
    if (existsSync(path)) files[f] = f === 'yarn.lock' ? readFileSync(path, 'utf8').slice(0, 4096) : '';
  }
  return files;
}

function main(argv) {
  const semver = createRequire(import.meta.url)(process.env.SEMVER_PATH);
  const stdin = () => JSON.parse(readFileSync(0, 'utf8') || '[]');
  const [command, ...args] = argv;
  if (command === 'node-version') {
    const { version, why } = nodeVersion(semver, args[0] ?? '', [stdin()].flat());
    return `${version} ${why}`;
  }
  if (command === 'npm-fits') return args[1] && !semver.satisfies(args[0], args[1]) ? 'no' : 'yes';
  if (command === 'npm-version') {
    const [node, request, stackVersion, stackEngines] = args;
    const { version, why } = npmVersion(semver, node, request, { version: stackVersion, engines: stackEngines }, [stdin()].flat());
    return `${version} ${why}`;
  }
  if (command === 'newest') return semver.maxSatisfying(stable(semver, [stdin()].flat()), '*') ?? '';
  if (command === 'package-manager') {
    const pkg = JSON.parse(readFileSync(join(args[0], 'package.json'), 'utf8'));
    const { name, request, lock } = packageManager(pkg, appFiles(args[0]));
    return `${name} ${request || '-'} ${lock || '-'}`;
  }
  throw new Error(`unknown command ${command}`);
}

if (process.argv[1] === import.meta.filename) {
  try {
    process.stdout.write(`${main(process.argv.slice(2))}\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Refusal ? e.message : e.stack}\n`);
    process.exit(1);
  }
}
