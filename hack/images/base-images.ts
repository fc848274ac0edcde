// The base images images/Dockerfile and images/stack/Dockerfile start FROM, made from this
// machine's Debian packages since nothing can be pulled: debian:bookworm-slim is Debian's
// required packages and apt with every package they depend on, registered in dpkg's database so
// the Dockerfiles' apt-get install works as on the real image; node:20-bookworm-slim adds this
// machine's Node.js 20 and npm (not registered, as the official image's /usr/local install is not).
// Both trust what this machine trusts (its CA bundle and local CAs: its egress may pass a
// TLS-inspecting proxy), so the Dockerfiles' npm and apt reach their registries as it does.
import { execFileSync } from 'node:child_process';
import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addPackages, baseRootfs } from '../stack/rootfs.js';
import { dpkgPackages, type PackageDb } from '../stack/image-key.js';

export const DEBIAN = { ref: 'docker.io/library/debian:bookworm-slim', packages: ['apt'] };
export const NODE = { ref: 'docker.io/library/node:20-bookworm-slim', packages: ['nodejs'] };

/** Debian's required packages and apt, with what they depend on: what debian:bookworm-slim holds. */
export async function slimPackages(db?: PackageDb): Promise<string[]> {
  const installed = db ?? await dpkgPackages();
  const required = execFileSync('dpkg-query', ['-W', '-f=${Priority} ${db:Status-Abbrev} ${Package}\n'], { encoding: 'utf8' })
    .split('\n').map((l) => l.split(/\s+/)).filter(([prio, status]) => prio === 'required' && status === 'ii').map((l) => l[2]!);
  const seen = new Set<string>();
  const closure: string[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = installed.get(name);
    if (pkg?.version) closure.push(name); // a virtual package has none: its providers are its depends
    for (const d of pkg?.depends ?? []) visit(d);
  };
  for (const p of [...required, ...DEBIAN.packages]) visit(p);
  return closure.sort();
}

/** dpkg's status stanzas of `packages`, as this machine has them. */
async function statusOf(packages: Set<string>): Promise<string> {
  const stanzas = (await readFile('/var/lib/dpkg/status', 'utf8')).split(/\n\n+/);
  return stanzas.filter((s) => packages.has(/^Package: (\S+)$/m.exec(s)?.[1] ?? '')).join('\n\n') + '\n';
}

const ACCOUNTS = {
  passwd: ['root:x:0:0:root:/root:/bin/bash', 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin', '_apt:x:42:65534::/nonexistent:/usr/sbin/nologin'],
  group: ['root:x:0:', 'users:x:100:', 'nogroup:x:65534:'],
  shadow: ['root:*:19000:0:99999:7:::', 'nobody:*:19000:0:99999:7:::', '_apt:*:19000:0:99999:7:::'],
  gshadow: ['root:*::', 'users:*::', 'nogroup:*::'],
};

export async function buildDebianRootfs(root: string, packages: string[]): Promise<void> {
  await baseRootfs(root, []); // the merged-/usr links first, for the packages' files to go through
  await addPackages(root, packages);
  const dpkg = join(root, 'var', 'lib', 'dpkg');
  await mkdir(join(dpkg, 'info'), { recursive: true });
  await mkdir(join(dpkg, 'updates'), { recursive: true });
  await writeFile(join(dpkg, 'status'), await statusOf(new Set(packages)));
  for (const f of ['available', 'diversions', 'statoverride']) await writeFile(join(dpkg, f), '');
  for (const pkg of packages) {
    for (const ext of ['list', 'md5sums', 'conffiles', 'triggers', 'shlibs']) {
      for (const name of [`${pkg}.${ext}`, `${pkg}:amd64.${ext}`]) await copyFile(join('/var/lib/dpkg/info', name), join(dpkg, 'info', name)).catch(() => undefined);
    }
  }
  for (const d of ['var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/log/apt', 'tmp', 'root', 'etc/apt/sources.list.d']) await mkdir(join(root, d), { recursive: true, mode: d === 'tmp' ? 0o1777 : 0o755 });
  // Where apt fetches from: this machine's Debian sources (made by its installer, owned by no package).
  await cp('/etc/apt/sources.list.d/debian.sources', join(root, 'etc/apt/sources.list.d/debian.sources')).catch(() => cp('/etc/apt/sources.list', join(root, 'etc/apt/sources.list')));
  for (const [file, lines] of Object.entries(ACCOUNTS)) await writeFile(join(root, 'etc', file), `${lines.join('\n')}\n`, { mode: file.endsWith('shadow') ? 0o640 : 0o644 });
  // Local CAs survive the Dockerfiles' update-ca-certificates (apt-get install ca-certificates).
  await cp(LOCAL_CAS, join(root, LOCAL_CAS), { recursive: true }).catch(() => undefined);
  await mkdir(join(root, 'etc/ssl/certs'), { recursive: true });
  await copyFile(CA_BUNDLE, join(root, CA_BUNDLE));
}

export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const LOCAL_CAS = '/usr/local/share/ca-certificates';

export async function buildNodeRootfs(root: string, debianPackages: string[]): Promise<void> {
  await buildDebianRootfs(root, debianPackages);
  // The node user the official image has, as uid 1000.
  for (const [file, line] of [['passwd', 'node:x:1000:1000::/home/node:/bin/bash'], ['group', 'node:x:1000:']] as const) {
    await writeFile(join(root, 'etc', file), `${line}\n`, { flag: 'a' });
  }
  await mkdir(join(root, 'home', 'node'), { recursive: true });
  await addPackages(root, NODE.packages);
  // npm as it is here now (it may have upgraded itself since dpkg installed it).
  await cp('/usr/lib/node_modules/npm', join(root, 'usr/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
}
