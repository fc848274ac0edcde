// The slug as layers: what the buildpacks vendor (a runtime, the dependencies) changes less often
// than the app's own code, so each such part is a layer of its own, reused while it is the same.
// Together they hold exactly the build directory, under /app.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DYNO_OWNER } from './layer.js';
import { packOrReuse, type LayerMemo, type PushedLayer } from './reuse.js';
import type { Registry } from './registry.js';

/** Paths in the build directory that Heroku's buildpacks fill with a runtime or dependencies. */
export const SLUG_PARTS = ['.heroku/node', '.heroku/python', '.heroku/yarn', '.heroku/berry', '.heroku/pnpm', 'node_modules'] as const;

const within = (rel: string, part: string) => rel === part || rel.startsWith(`${part}/`);
const ancestorOf = (rel: string, part: string) => part.startsWith(`${rel}/`);

/** The paths of one part's layer: the part, and the folders it is in. */
export const partFilter = (part: string) => (rel: string): boolean => within(rel, part) || ancestorOf(rel, part);

/** The paths of the rest: everything not in one of the parts. */
export const restFilter = (parts: readonly string[]) => (rel: string): boolean => !parts.some((p) => within(rel, p));

export interface SlugLayer extends PushedLayer {
  /** What it holds, for the image's history: a part's path, or the app. */
  holds: string;
  reused: boolean;
}

/** Packs (or reuses) and pushes the slug's layers, parts first; a part the build did not make is no layer. */
export async function pushSlugLayers(registry: Registry, repository: string, buildDir: string, memo: LayerMemo, scratch: string): Promise<SlugLayer[]> {
  const parts = SLUG_PARTS.filter((p) => existsSync(join(buildDir, p)));
  const layers: SlugLayer[] = [];
  for (const [i, part] of parts.entries()) {
    const layer = await packOrReuse(registry, repository, memo, buildDir, 'app', { as: DYNO_OWNER, filter: partFilter(part) }, scratch, `slug-${i}`);
    layers.push({ ...layer, holds: `/app/${part}` });
  }
  const rest = await packOrReuse(registry, repository, memo, buildDir, 'app', { as: DYNO_OWNER, filter: restFilter(parts) }, scratch, 'slug-app');
  layers.push({ ...rest, holds: '/app' });
  return layers;
}
