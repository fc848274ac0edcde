import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { krewManifest } from './manifest.js';

describe('the krew manifest', () => {
  it('points every platform at the release archive and its checksum, and names the plugin binary', () => {
    const m = parse(krewManifest('0.1.0', 'a'.repeat(64))) as { metadata: { name: string }; spec: { version: string; platforms: { uri: string; sha256: string; bin: string; selector: { matchLabels: Record<string, string> } }[] } };
    expect(m.metadata.name).toBe('dyno');
    expect(m.spec.version).toBe('v0.1.0');
    expect(m.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`)).toEqual(['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64']);
    for (const p of m.spec.platforms) {
      expect(p).toMatchObject({ sha256: 'a'.repeat(64), bin: 'kubectl-dyno/bin/kubectl-dyno' });
      expect(p.uri).toMatch(/\/v0\.1\.0\/kubectl-dyno-v0\.1\.0\.tar\.gz$/);
    }
  });
  it('refuses a bad version or checksum', () => {
    expect(() => krewManifest('latest', 'a'.repeat(64))).toThrow('not semver');
    expect(() => krewManifest('0.1.0', 'abc')).toThrow('sha256');
  });
});
