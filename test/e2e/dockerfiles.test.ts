// The kind path's images, proven without Docker: buildah builds images/stack/Dockerfile and
// images/Dockerfile as `make images` does (FROM base images made here under the names the
// Dockerfiles use), and the operator image it made runs. Cached by buildah's layers and a key over
// every input: a cold build fetches Debian's and npm's packages (minutes), an unchanged tree none.
import { describe, expect, it } from '@jest/globals';
import { buildDockerfiles } from '../../hack/images/buildah.js';

describe('the Dockerfiles, built with buildah', () => {
  it('build every target, and the operator image runs', async () => {
    const r = await buildDockerfiles((line) => process.stderr.write(`==> ${line}\n`));
    expect(Object.keys(r.images)).toEqual([
      'docker.io/library/debian:bookworm-slim', 'docker.io/library/node:20-bookworm-slim',
      'ghcr.io/dynokube/stack-debian-12:run', 'ghcr.io/dynokube/stack-debian-12:build',
      'ghcr.io/dynokube/operator:buildah', 'ghcr.io/dynokube/receiver:buildah', 'ghcr.io/dynokube/router:buildah', 'ghcr.io/dynokube/builder:buildah',
      'ghcr.io/dynokube/ingress:buildah',
    ]);
    expect(r.ran).toContain('dynokube-operator: turns Apps, Releases, Formations and attachments into running dynos.');
  }, 60 * 60_000);
});
