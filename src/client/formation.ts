// The formation: how many dynos of each process type run, and at which size. Scaling patches the
// Formation the operator reconciles; the CLI's ps:scale and ps:type and the dashboard's Resources
// page both come here.
import type { Autoscale, Formation, ProcessFormation } from '../api/formation.js';
import { names, processTypeName } from '../api/names.js';
import { DEFAULT_DYNO_SIZE, DYNO_SIZES, MAX_QUANTITY, type DynoSize } from '../api/sizes.js';
import { Resources } from '../k8s/resources.js';
import { currentRelease, formationOf, processTypesOf, releasesOf } from './apps-data.js';
import { ClientError, findApp, type Scope } from './scope.js';

export interface ScaleChange {
  type: string;
  quantity?: number;
  delta?: number;
  size?: DynoSize;
}

export interface FormationRow {
  type: string;
  quantity: number;
  size: DynoSize;
  command: string;
  autoscale?: Autoscale;
}

/** Heroku writes sizes as Standard-1X. */
export const sizeName = (s: string): string => s.split('-').map((p) => (/^\d+x$/.test(p) ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1))).join('-');

/** A size as Heroku prints it or in any case (Standard-2X, standard-2x), or undefined if it is none. */
export function dynoSize(name: string): DynoSize | undefined {
  const size = name.toLowerCase();
  return (DYNO_SIZES as readonly string[]).includes(size) ? (size as DynoSize) : undefined;
}

/** The process types of the release the app runs (not its release phase), and its Formation. */
export async function slugTypes(s: Scope, app: string): Promise<{ types: Record<string, string>; formation: Formation | undefined }> {
  const a = await findApp(s, app);
  const [releases, formation] = await Promise.all([releasesOf(s, app), formationOf(s, app)]);
  const current = currentRelease(a, releases);
  if (!current) throw new ClientError(`${app} has no release yet: push code (git push dynokube main) or set a prebuilt image first.`);
  const types = { ...processTypesOf(current) };
  delete types.release;
  return { types, formation };
}

/** Each process type of the running release with its quantity (web 1, others 0 until scaled) and size. */
export async function formationRows(s: Scope, app: string): Promise<FormationRow[]> {
  const { types, formation } = await slugTypes(s, app);
  return rowsOf(types, formation);
}

/** The rows formationRows gives, from what slugTypes read (for a caller that needs the Formation too). */
export function rowsOf(types: Record<string, string>, formation: Formation | undefined): FormationRow[] {
  return Object.keys(types).sort().map((type) => {
    const p = formation?.spec.processes[type];
    return { type, quantity: p?.quantity ?? (type === 'web' ? 1 : 0), size: p?.size ?? DEFAULT_DYNO_SIZE, command: types[type]!, ...(p?.autoscale ? { autoscale: p.autoscale } : {}) };
  });
}

/** Scales (and resizes) process types; returns what each changed type now runs. */
export async function scale(s: Scope, app: string, changes: ScaleChange[]): Promise<Record<string, ProcessFormation>> {
  const { types, formation } = await slugTypes(s, app);
  const processes: Record<string, ProcessFormation> = {};
  for (const c of changes) {
    const type = processTypeName(c.type);
    if (!(type in types)) throw new ClientError(`Couldn't find that process type (${type}). ${app} has: ${Object.keys(types).join(', ') || 'none'}.`, 'not-found');
    const now = formation?.spec.processes[type];
    const currentQty = now?.quantity ?? (type === 'web' ? 1 : 0);
    const quantity = c.quantity ?? (c.delta !== undefined ? currentQty + c.delta : currentQty);
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_QUANTITY) throw new ClientError(`Cannot scale ${type} to ${quantity}: between 0 and ${MAX_QUANTITY}.`, 'invalid');
    processes[type] = { quantity, size: c.size ?? now?.size ?? DEFAULT_DYNO_SIZE };
  }
  await s.kube.mergePatch(Resources.Formation, s.namespace, names.formation(app), { spec: { processes } });
  return processes;
}
