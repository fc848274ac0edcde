// A tag that names what images hold: `local-<hash of their manifest digests>`, put beside the
// tag they were pushed under. A chart installed with it moves its pods to changed images on an
// upgrade, and leaves them alone when nothing changed (a fixed tag would do neither on a node
// that already has an image of that name).
import { createHash } from 'node:crypto';
import { Registry } from '../../src/builder/registry.js';

/** `refs` are `repository:tag` in one registry; each gets the content tag too, which is returned. */
export async function contentTag(registryHost: string, refs: string[]): Promise<string> {
  const registry = new Registry(registryHost, { insecure: true });
  const images = await Promise.all(refs.map(async (ref) => {
    const [repository, tag] = ref.split(':') as [string, string];
    return { repository, ...(await registry.manifest(repository, tag)) };
  }));
  const hash = createHash('sha256');
  for (const i of images) hash.update(`${i.repository}@${i.digest}\n`);
  const tag = `local-${hash.digest('hex').slice(0, 12)}`;
  await Promise.all(images.map((i) => registry.putManifest(i.repository, tag, i.manifest)));
  return tag;
}
