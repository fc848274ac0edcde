// Can this machine run make run's real node (containerd, runc and the kubelet as root), and if
// not, why: make run then falls back to the fake node and says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { missingTools } from '../node/node.js';

export interface Machine {
  platform: NodeJS.Platform;
  uid: number;
  /** Does /sys/fs/cgroup hold a cgroup hierarchy (v2's cgroup.controllers, or v1's memory controller)? */
  cgroups: boolean;
  /** DYNOKUBE_NODE, when set. */
  asked?: string;
}

export function thisMachine(env: NodeJS.ProcessEnv = process.env): Machine {
  const cg = '/sys/fs/cgroup';
  return {
    platform: process.platform,
    uid: process.getuid?.() ?? -1,
    cgroups: existsSync(join(cg, 'cgroup.controllers')) || existsSync(join(cg, 'memory')),
    ...(env.DYNOKUBE_NODE ? { asked: env.DYNOKUBE_NODE } : {}),
  };
}

/** Why the real node cannot run here, or undefined when it can (its packages aside). */
export function whyNoRealNode(m: Machine): string | undefined {
  if (m.asked === 'kwok') return 'DYNOKUBE_NODE=kwok asks for the fake node';
  if (m.asked && m.asked !== 'real') throw new Error(`DYNOKUBE_NODE must be real or kwok, got ${JSON.stringify(m.asked)}`);
  if (m.platform !== 'linux') return `the real node needs Linux, and this is ${m.platform}`;
  if (m.uid !== 0) return 'the real node needs root (containerd, the kubelet and the pods\' network do): run sudo make run';
  if (!m.cgroups) return 'the real node needs cgroups, and /sys/fs/cgroup has none mounted';
  return undefined;
}

/** Installs the node's Debian packages (hack/node/install-deps.sh); why not, when that fails. */
export function installNodePackages(): string | undefined {
  const script = join(import.meta.dirname, '..', 'node', 'install-deps.sh');
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').at(-1) ?? '';
    return `the real node's Debian packages could not be installed (hack/node/install-deps.sh: ${last || `exit ${r.status}`})`;
  }
  const missing = missingTools();
  return missing.length ? `the real node needs ${missing.join(', ')}, which are still missing after hack/node/install-deps.sh` : undefined;
}
