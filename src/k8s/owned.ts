// The fields a field manager owns, read from managedFields: an object projected onto them holds
// exactly what that manager last applied and still owns. Another writer that changes one of those
// fields takes it over (server-side apply's ownership), so the projection no longer matches what
// we want, while fields others added (annotations, an HPA's replicas) never enter it.
import { createHash } from 'node:crypto';

type Json = unknown;
type FieldSet = { [key: string]: FieldSet };

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
}

/** JSON with keys sorted and undefined dropped: equal values give equal strings. */
export function stableJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, Json>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

function matches(item: Json, key: Record<string, Json>): boolean {
  if (!item || typeof item !== 'object') return false;
  return Object.entries(key).every(([k, v]) => stableJson((item as Record<string, Json>)[k]) === stableJson(v));
}

/** value restricted to the fields in set; a leaf (an empty set) is taken whole. */
export function project(value: Json, set: FieldSet): Json {
  const keys = Object.keys(set).filter((k) => k !== '.');
  if (keys.length === 0) return Object.keys(set).length === 0 ? value : Array.isArray(value) ? [] : value && typeof value === 'object' ? {} : value;
  if (Array.isArray(value)) {
    const picked: [number, Json][] = [];
    for (const k of keys) {
      const sub = set[k]!;
      if (k.startsWith('k:')) {
        const key = JSON.parse(k.slice(2)) as Record<string, Json>;
        const i = value.findIndex((item) => matches(item, key));
        if (i >= 0) picked.push([i, project(value[i], sub)]);
      } else if (k.startsWith('v:')) {
        const want = stableJson(JSON.parse(k.slice(2)));
        const i = value.findIndex((item) => stableJson(item) === want);
        if (i >= 0) picked.push([i, value[i]]);
      } else if (k.startsWith('i:')) {
        const i = Number(k.slice(2));
        if (i < value.length) picked.push([i, project(value[i], sub)]);
      }
    }
    return picked.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const k of keys) {
    if (!k.startsWith('f:')) continue;
    const name = k.slice(2);
    const child = (value as Record<string, Json>)[name];
    if (child !== undefined) out[name] = project(child, set[k]!);
  }
  return out;
}

/** The fields manager holds on the object itself (not its status), merged across its entries. */
export function ownedFields(managedFields: ManagedFieldsEntry[] | undefined, manager: string): FieldSet | undefined {
  const entries = (managedFields ?? []).filter((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource && e.fieldsV1);
  if (!entries.length) return undefined;
  const merge = (a: FieldSet, b: FieldSet): FieldSet => {
    const out: FieldSet = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = out[k] ? merge(out[k], v) : v;
    return out;
  };
  return entries.map((e) => e.fieldsV1!).reduce(merge);
}

/** A fingerprint of what manager owns on a live object, or undefined when it owns nothing. */
export function ownedHash(obj: object, manager: string): string | undefined {
  const set = ownedFields((obj as { metadata?: { managedFields?: ManagedFieldsEntry[] } }).metadata?.managedFields, manager);
  if (!set) return undefined;
  const { metadata, ...rest } = obj as Record<string, Json> & { metadata?: Record<string, Json> };
  const { managedFields: _drop, ...meta } = metadata ?? {};
  return hash(stableJson(project({ ...rest, metadata: meta }, set)));
}

/**
 * The same fingerprint for an object we are about to apply: its identity (kind, name, namespace)
 * is not a field anyone owns.
 */
export function desiredHash(obj: object): string {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj as Record<string, Json> & { metadata?: Record<string, Json> };
  const { name: _n, namespace: _ns, ...meta } = metadata ?? {};
  return hash(stableJson(Object.keys(meta).length ? { ...rest, metadata: meta } : rest));
}

/** A cached child, reduced to what is read, with the fingerprint of the fields we own on it. */
export type Owned<T> = T & { owned?: string };
