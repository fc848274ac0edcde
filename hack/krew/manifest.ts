// The krew manifest of kubectl-dyno: one archive serves every platform (the plugin is JavaScript
// and needs Node.js 20 on PATH), so each platform entry points at the same URI and checksum.
import { stringify } from 'yaml';

export const RELEASE_BASE = 'https://github.com/dynokube/dynokube/releases/download';

export const archiveName = (version: string): string => `kubectl-dyno-v${version}.tar.gz`;

export function krewManifest(version: string, sha256: string): string {
  if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`version ${version} is not semver`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('sha256 must be 64 hex digits');
  const platforms = [['linux', 'amd64'], ['linux', 'arm64'], ['darwin', 'amd64'], ['darwin', 'arm64']].map(([os, arch]) => ({
    selector: { matchLabels: { os, arch } },
    uri: `${RELEASE_BASE}/v${version}/${archiveName(version)}`,
    sha256,
    bin: 'kubectl-dyno/bin/kubectl-dyno',
  }));
  return stringify({
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'dyno' },
    spec: {
      version: `v${version}`,
      homepage: 'https://github.com/dynokube/dynokube',
      shortDescription: 'Heroku CLI verbs for dynokube apps',
      description: 'kubectl dyno manages apps run by the dynokube operator the way the Heroku CLI does:\n'
        + 'apps, ps:scale, config:set, releases, rollback, run, logs, addons, domains, maintenance\n'
        + 'and git:remote. It needs Node.js 20 or newer on PATH.\n',
      caveats: 'kubectl dyno needs Node.js 20+ (node on PATH) and dynokube installed in the cluster.\n',
      platforms,
    },
  }, { lineWidth: 0 });
}
