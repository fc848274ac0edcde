import { describe, expect, it } from '@jest/globals';
import { staleImages } from './image-prune.js';

// What the node's containerd lists after pulls from the registry of this run and of an earlier one.
const refs = [
  { name: '10.213.9.1:40001/dynokube/builder:local-new', target: 'sha256:b2' },
  { name: '10.213.9.1:40001/dynokube/builder@sha256:b2', target: 'sha256:b2' },
  { name: 'sha256:c2', target: 'sha256:b2' },
  { name: '10.213.9.1:39999/dynokube/builder:local-old', target: 'sha256:b1' },
  { name: '10.213.9.1:39999/dynokube/builder@sha256:b1', target: 'sha256:b1' },
  { name: 'sha256:c1', target: 'sha256:b1' },
  { name: '10.213.9.1:39999/e2e-apps/greeting:v3', target: 'sha256:a1' },
  { name: 'sha256:ca', target: 'sha256:a1' },
  { name: 'docker.io/library/busybox:1', target: 'sha256:x1' },
  { name: 'sha256:cx', target: 'sha256:x1' },
];
const served = new Set(['dynokube/builder:local-new', 'dynokube/builder:sha256:b2']);
const serves = (repository: string, reference: string) => served.has(`${repository}:${reference}`);
const local = (host: string) => host.startsWith('10.213.9.1:');

describe('staleImages', () => {
  it("forgets what the registry no longer serves under any run's port, with the IDs left nameless", () => {
    expect(staleImages(refs, serves, local).sort()).toEqual([
      '10.213.9.1:39999/dynokube/builder:local-old',
      '10.213.9.1:39999/dynokube/builder@sha256:b1',
      '10.213.9.1:39999/e2e-apps/greeting:v3',
      'sha256:c1',
      'sha256:ca',
    ]);
  });

  it('keeps an ID while any name for it stays', () => {
    const renamed = [...refs, { name: '10.213.9.1:40001/dynokube/builder:local-new-alias', target: 'sha256:b1' }];
    const also = (repository: string, reference: string) => serves(repository, reference) || reference === 'local-new-alias';
    expect(staleImages(renamed, also, local)).not.toContain('sha256:c1');
  });

  it("never touches images from other registries", () => {
    expect(staleImages(refs, () => false, local)).not.toEqual(expect.arrayContaining(['docker.io/library/busybox:1']));
    expect(staleImages(refs, () => false, local)).not.toContain('sha256:cx');
  });
});
