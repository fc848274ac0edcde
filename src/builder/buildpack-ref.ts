// What a buildpack name means, as Heroku reads it: a `heroku/<name>` short name (here, a
// built-in), a tarball URL, or a git URL with an optional `#ref` (branch, tag or commit); and
// which list of them a build uses. Pure, so it is unit-tested.

export const BUILTINS = ['python', 'nodejs', 'procfile'] as const;
export type Builtin = (typeof BUILTINS)[number];

export type BuildpackRef =
  | { kind: 'builtin'; name: string; builtin: Builtin }
  | { kind: 'tarball'; name: string; url: string }
  | { kind: 'git'; name: string; url: string; ref?: string };

export class BuildpackRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildpackRefError';
  }
}

const TARBALL = /\.(tgz|tar\.gz|tar)$/;
const SHORT_NAME = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;

/** The URL with any user and password replaced, for the build log: a URL may carry a token. */
export function redactUrl(url: string): string {
  return url.replace(/^(https?:\/\/)[^/@]*@/, '$1***@');
}

export function parseBuildpackRef(name: string): BuildpackRef {
  const trimmed = name.trim();
  if (SHORT_NAME.test(trimmed)) {
    const [owner, bp] = trimmed.split('/') as [string, string];
    if (owner === 'heroku' && (BUILTINS as readonly string[]).includes(bp)) return { kind: 'builtin', name: trimmed, builtin: bp as Builtin };
    const builtins = BUILTINS.map((b) => `heroku/${b}`).join(', ');
    throw new BuildpackRefError(`${trimmed} is a name in Heroku's buildpack registry, which builds here do not use: the built-in buildpacks are ${builtins}; give any other buildpack by its git or tarball URL`);
  }
  const hash = trimmed.indexOf('#');
  const base = hash < 0 ? trimmed : trimmed.slice(0, hash);
  const ref = hash < 0 ? undefined : trimmed.slice(hash + 1);
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new BuildpackRefError(`${redactUrl(trimmed)} is not a buildpack: give heroku/<name> or an http(s) URL of a git repository or a tarball`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new BuildpackRefError(`${redactUrl(trimmed)}: buildpack URLs are http or https`);
  if (ref !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(ref)) throw new BuildpackRefError(`${redactUrl(trimmed)}: #${ref} is not a branch, tag or commit`);
  if (TARBALL.test(url.pathname)) return { kind: 'tarball', name: trimmed, url: trimmed };
  return { kind: 'git', name: trimmed, url: base, ...(ref ? { ref } : {}) };
}

/** A `.buildpacks` file: one buildpack per line; blank lines and lines starting with # are skipped. */
export function parseBuildpacksFile(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

export interface BuildpackChoice {
  names: string[];
  /** Where the list came from, for the build log; undefined when the app is detected. */
  from?: string;
}

/**
 * Which buildpacks a build runs, first match wins: the BUILDPACK_URL config var (Heroku's legacy
 * override), the App's (or Build's) buildpacks (apps:create -b, app.json), the app's
 * `.buildpacks` file; none means detect.
 */
export function chooseBuildpacks(input: { configVar?: string; spec: string[]; file?: string }): BuildpackChoice {
  if (input.configVar?.trim()) return { names: [input.configVar.trim()], from: 'the BUILDPACK_URL config var' };
  if (input.spec.length) return { names: input.spec, from: 'the app\'s buildpacks' };
  const listed = input.file === undefined ? [] : parseBuildpacksFile(input.file);
  if (listed.length) return { names: listed, from: '.buildpacks' };
  return { names: [] };
}
