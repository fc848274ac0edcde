// The slug image: the stack's run image plus the slug's layers holding /app, with a config that
// runs as the dyno user in /app. Base layers are mounted from the run image's repository, never
// copied; the slug's layers are in the app's repository already (see slug.ts).
import { createHash } from 'node:crypto';
import { MEDIA, type Descriptor, type ImageConfig, type Manifest, type Registry } from './registry.js';
import { DYNO_GID, DYNO_UID } from './layer.js';
import type { SlugLayer } from './slug.js';

export interface SlugImageInput {
  registry: Registry;
  /** The stack's run image, in the same registry. */
  base: { repository: string; reference: string };
  target: { repository: string; tag: string };
  slug: SlugLayer[];
  labels: Record<string, string>;
  /** Said in the image history, for `docker history`-style tools. */
  createdBy: string;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The slug image's config, derived from the run image's: pure, so it is unit-tested. */
export function slugConfig(base: ImageConfig, slug: Pick<SlugLayer, 'diffId' | 'holds'>[], labels: Record<string, string>, createdBy: string, now: Date): ImageConfig {
  const env = (base.config?.Env ?? []).filter((e) => !e.startsWith('HOME='));
  return {
    ...base,
    config: {
      ...base.config,
      Env: [...env, 'HOME=/app'],
      WorkingDir: '/app',
      User: `${DYNO_UID}:${DYNO_GID}`,
      Labels: { ...base.config?.Labels, ...labels },
    },
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...slug.map((l) => l.diffId)] },
    history: [...(base.history ?? []), ...slug.map((l) => ({ created: now.toISOString(), created_by: `${createdBy}: ${l.holds}`, comment: 'dynokube slug' }))],
  };
}

export async function pushSlugImage(input: SlugImageInput): Promise<{ digest: string; manifest: Manifest }> {
  const { registry, base, target } = input;
  const { manifest: baseManifest } = await registry.manifest(base.repository, base.reference);
  const baseConfig = (await (await registry.blob(base.repository, baseManifest.config.digest)).json()) as ImageConfig;

  await Promise.all(baseManifest.layers.map(async (layer) => {
    if (await registry.hasBlob(target.repository, layer.digest)) return;
    if (!(await registry.mountBlob(target.repository, layer.digest, base.repository))) {
      // A registry that cannot mount: copy the blob through us.
      const body = Buffer.from(await (await registry.blob(base.repository, layer.digest)).arrayBuffer());
      await registry.putBlob(target.repository, layer.digest, body);
    }
  }));

  const config = Buffer.from(JSON.stringify(slugConfig(baseConfig, input.slug, input.labels, input.createdBy, new Date())));
  const configDigest = sha256(config);
  await registry.putBlob(target.repository, configDigest, config);

  const slugDescriptors: Descriptor[] = input.slug.map((l) => ({ mediaType: l.gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: l.digest, size: l.size }));
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: config.length },
    layers: [...baseManifest.layers.map((l) => ({ ...l, mediaType: l.mediaType.replace('application/vnd.docker.image.rootfs.diff.tar.gzip', MEDIA.ociLayerGzip) })), ...slugDescriptors],
  };
  const digest = await registry.putManifest(target.repository, target.tag, manifest);
  return { digest, manifest };
}
