// An app's config as a release sees it: the config Secret's vars plus one <AS>_URL per attachment.
// Pure: values are compared and copied here, never logged or described.
import { createHash } from 'node:crypto';
import { CONFIG_VAR_PATTERN } from '../../api/names.js';

/** Heroku's limit on the total size of an app's config vars. */
export const CONFIG_MAX_BYTES = 32 * 1024;

/** Base64 values, as in a Secret's data. */
export type ConfigData = Record<string, string>;

export interface AttachedVar {
  /** The attachment name: DATABASE. */
  as: string;
  /** The URL, base64, from the add-on's or the external Secret. */
  url: string;
}

export interface Config {
  data: ConfigData;
  /** Attachment names contributing vars, sorted. */
  attachments: string[];
}

export const attachmentVar = (as: string): string => `${as}_URL`;

const envName = new RegExp(CONFIG_VAR_PATTERN);

/** Problems with the user's config Secret, each naming the key (never the value). */
export function validateConfig(data: ConfigData): string[] {
  const problems: string[] = [];
  const bad = Object.keys(data).filter((k) => !envName.test(k)).sort();
  if (bad.length) problems.push(`config var names must be letters, digits and underscores, not starting with a digit: ${bad.map((k) => JSON.stringify(k)).join(', ')}`);
  const bytes = Object.entries(data).reduce((n, [k, v]) => n + k.length + Buffer.from(v, 'base64').length, 0);
  if (bytes > CONFIG_MAX_BYTES) problems.push(`config vars take ${bytes} bytes; the limit is ${CONFIG_MAX_BYTES}`);
  return problems;
}

export function mergeConfig(data: ConfigData, attached: AttachedVar[]): Config {
  const merged: ConfigData = { ...data };
  for (const a of attached) merged[attachmentVar(a.as)] = a.url;
  return { data: merged, attachments: attached.map((a) => a.as).sort() };
}

/** Equal configs have equal fingerprints; the fingerprint stays in memory, never on an object. */
export function fingerprint(c: Config): string {
  const h = createHash('sha256');
  for (const k of Object.keys(c.data).sort()) h.update(`${k}\0${c.data[k]}\0`);
  h.update(`\0${c.attachments.join(',')}`);
  return h.digest('hex');
}

const list = (names: string[]) => names.join(', ');

/**
 * What changed between two configs, as Heroku words it: "Attach DATABASE", "Set FOO, BAR config
 * vars", "Remove BAZ config var". Names only.
 */
export function describeConfigChange(prev: Config, next: Config): string {
  const parts: string[] = [];
  const attached = next.attachments.filter((a) => !prev.attachments.includes(a));
  const detached = prev.attachments.filter((a) => !next.attachments.includes(a));
  const viaAttachments = new Set([...attached, ...detached, ...next.attachments].map(attachmentVar));
  if (attached.length) parts.push(`Attach ${list(attached)}`);
  if (detached.length) parts.push(`Detach ${list(detached)}`);
  const keys = (c: Config) => Object.keys(c.data).filter((k) => !viaAttachments.has(k));
  const set = keys(next).filter((k) => prev.data[k] !== next.data[k]).sort();
  const removed = keys(prev).filter((k) => !(k in next.data)).sort();
  if (set.length) parts.push(`Set ${list(set)} config var${set.length > 1 ? 's' : ''}`);
  if (removed.length) parts.push(`Remove ${list(removed)} config var${removed.length > 1 ? 's' : ''}`);
  const changedAttachments = next.attachments.filter((a) => prev.attachments.includes(a) && prev.data[attachmentVar(a)] !== next.data[attachmentVar(a)]);
  if (changedAttachments.length) parts.push(`Update ${list(changedAttachments)}`);
  return parts.join('; ') || 'Update config';
}
