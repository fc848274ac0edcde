// Attachments become <AS>_URL config vars: resolved from an add-on's connection Secret or from an
// external Secret, checked for clashes, and their status written.
import { DEFAULT_ATTACHMENT_NAMES, fallbackAttachmentName, type AddonAttachment } from '../../api/addon.js';
import { ConditionType } from '../../api/conditions.js';
import { Resources } from '../../k8s/resources.js';
import { setCondition, type ConditionInput } from '../../k8s/conditions.js';
import type { Secret } from '../../k8s/types.js';
import type { Ctx } from '../context.js';
import { attachmentVar, type AttachedVar, type ConfigData } from '../desired/config.js';
import { announce, writeStatus } from './status.js';

interface Outcome {
  attachment: AddonAttachment;
  configVar?: string;
  attached?: AttachedVar;
  /** For an add-on attached with no name: the name it takes when the default is taken. */
  fallback?: string;
  condition: ConditionInput;
}

const ready = (message: string): ConditionInput => ({ type: ConditionType.Ready, status: 'True', reason: 'Attached', message });
const notReady = (reason: string, message: string): ConditionInput => ({ type: ConditionType.Ready, status: 'False', reason, message });

async function secretValue(ctx: Ctx, namespace: string, name: string, key: string): Promise<{ value?: string; problem?: ConditionInput }> {
  const secret = await ctx.kube.find<Secret>(Resources.Secret, namespace, name);
  if (!secret) return { problem: notReady('SecretNotFound', `Secret ${name} does not exist in namespace ${namespace}`) };
  const value = secret.data?.[key];
  if (!value) return { problem: notReady('KeyNotFound', `Secret ${name} has no key ${JSON.stringify(key)}`) };
  return { value };
}

async function resolveOne(ctx: Ctx, a: AddonAttachment): Promise<Outcome> {
  const ns = a.metadata.namespace!;
  if (a.spec.secretRef) {
    const as = a.spec.as!;
    const { value, problem } = await secretValue(ctx, ns, a.spec.secretRef.name, a.spec.secretRef.key ?? 'url');
    if (problem) return { attachment: a, configVar: attachmentVar(as), condition: problem };
    return { attachment: a, configVar: attachmentVar(as), attached: { as, url: value! }, condition: ready(`${attachmentVar(as)} from Secret ${a.spec.secretRef.name}`) };
  }
  const addon = ctx.world.addons.get(ns, a.spec.addon!);
  if (!addon) return { attachment: a, condition: notReady('AddonNotFound', `there is no add-on ${a.spec.addon} in namespace ${ns}`) };
  const as = a.spec.as ?? DEFAULT_ATTACHMENT_NAMES[addon.spec.service];
  const fallback = a.spec.as ? undefined : fallbackAttachmentName(addon.spec.service, addon.metadata.name!);
  const outcome = await resolveAddon(ctx, a, as, addon.status?.connectionSecret);
  return fallback ? { ...outcome, fallback } : outcome;
}

async function resolveAddon(ctx: Ctx, a: AddonAttachment, as: string, secretName: string | undefined): Promise<Outcome> {
  const ns = a.metadata.namespace!;
  if (!secretName) return { attachment: a, configVar: attachmentVar(as), condition: notReady('AddonNotReady', `add-on ${a.spec.addon} is not ready yet`) };
  const { value, problem } = await secretValue(ctx, ns, secretName, 'url');
  if (problem) return { attachment: a, configVar: attachmentVar(as), condition: notReady('AddonNotReady', `add-on ${a.spec.addon} is not ready yet: ${problem.message}`) };
  return { attachment: a, configVar: attachmentVar(as), attached: { as, url: value! }, condition: ready(`${attachmentVar(as)} from add-on ${a.spec.addon}`) };
}

const created = (a: AddonAttachment) => `${a.metadata.creationTimestamp ?? ''}/${a.metadata.name}`;

/**
 * Resolves the app's attachments, oldest first: a later attachment whose var is taken (by an
 * earlier one or by the app's own config) takes its fallback name when it was given none, and
 * is refused otherwise, never overwriting. Writes their status.
 */
export async function resolveAttachments(ctx: Ctx, attachments: AddonAttachment[], userConfig: ConfigData): Promise<AttachedVar[]> {
  const outcomes: Outcome[] = [];
  for (const a of [...attachments].sort((x, y) => created(x).localeCompare(created(y)))) {
    if (a.metadata.deletionTimestamp) continue;
    outcomes.push(await resolveOne(ctx, a));
  }
  const taken = new Set(Object.keys(userConfig));
  const vars: AttachedVar[] = [];
  for (const o of outcomes) {
    if (o.configVar && taken.has(o.configVar) && o.fallback) {
      o.configVar = attachmentVar(o.fallback);
      if (o.attached) {
        o.attached = { ...o.attached, as: o.fallback };
        o.condition = ready(`${o.configVar} from add-on ${o.attachment.spec.addon}`);
      }
    }
    if (o.configVar && taken.has(o.configVar) && o.attached) {
      o.condition = notReady('NameConflict', `${o.configVar} is already set on the app: choose another name with as, or unset it`);
      o.attached = undefined;
    }
    if (o.configVar) taken.add(o.configVar);
    if (o.attached) vars.push(o.attached);
  }
  for (const o of outcomes) {
    const a = o.attachment;
    const conditions = setCondition(a.status?.conditions, o.condition, a.metadata.generation);
    await writeStatus(ctx, Resources.AddonAttachment, a, {
      observedGeneration: a.metadata.generation,
      ...(o.configVar ? { configVar: o.configVar } : {}),
      conditions,
    });
    await announce(ctx, a, a.status?.conditions, conditions, ConditionType.Ready);
  }
  return vars;
}
