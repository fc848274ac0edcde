// addons, addons:create, addons:info, addons:attach, addons:detach, addons:destroy: add-ons
// (PostgreSQL, Redis) run beside the app, and external services, both reaching the app as
// <AS>_URL config vars through attachments, each change a new release.
// Imported only when one of them runs; commands/addons.ts holds their flags and help.
import { randomInt } from 'node:crypto';
import { ADDON_PLANS, ADDON_SERVICES, DEFAULT_ATTACHMENT_NAMES, fallbackAttachmentName, isAddonPlan, offeredService, type Addon, type AddonAttachment, type AddonPlan, type AddonService } from '../../api/addon.js';
import { API_VERSION } from '../../api/kind.js';
import { ATTACHMENT_NAME_PATTERN, OBJECT_NAME_PATTERN, names } from '../../api/names.js';
import { appLabels } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources } from '../../k8s/resources.js';
import type { Secret } from '../../k8s/types.js';
import { attachmentReady, attachmentsOf, latestVersion, nextRelease, releasesOf, releasing } from '../apps-data.js';
import { confirmByName } from '../confirm.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import type { Session } from '../session.js';

const WORDS = ['rugged', 'cubic', 'shallow', 'aerodynamic', 'vertical', 'fluffy', 'opaque', 'clear', 'solid', 'round'];
const addonName = (service: string) => `${service}-${WORDS[randomInt(WORDS.length)]}-${randomInt(10000, 99999)}`;
const stateOf = (o: { status?: { conditions?: { type: string; reason: string }[] } }) => o.status?.conditions?.find((c) => c.type === 'Ready')?.reason ?? 'Pending';
const attachmentName = (app: string, as: string) => `${app}-${as.toLowerCase().replace(/_/g, '-')}`;

/** SERVICE[:PLAN], with Heroku's names understood (heroku-postgresql:essential-0). */
export function parseServicePlan(arg: string): { service: AddonService; plan: AddonPlan } {
  const [rawService, plan = 'dev'] = arg.split(':') as [string, string?];
  const service = offeredService(rawService);
  if (!service) throw usageError(`Unknown add-on service ${rawService}: this cluster offers ${ADDON_SERVICES.join(' and ')}.`);
  if (!isAddonPlan(plan)) throw usageError(`Unknown plan ${plan} for ${service}: plans are ${ADDON_PLANS.join(', ')}.`);
  return { service, plan };
}

/** The config vars the app has now, its own and its attachments', which a new attachment must not take. */
async function takenVars(s: Session, app: string): Promise<Set<string>> {
  const [config, attachments] = await Promise.all([s.kube.find<Secret>(Resources.Secret, s.namespace, names.configSecret(app)), attachmentsOf(s, app)]);
  return new Set([...Object.keys(config?.data ?? {}), ...attachments.flatMap((a) => a.status?.configVar ?? (a.spec.as ? [`${a.spec.as}_URL`] : []))]);
}

/** The name an add-on's attachment takes on this app: the one asked for, else the service's, else its own. */
async function chooseAs(s: Session, app: string, addon: Addon, asked: string | undefined): Promise<string> {
  const taken = await takenVars(s, app);
  if (asked) {
    if (!new RegExp(ATTACHMENT_NAME_PATTERN).test(asked)) throw usageError(`--as ${asked}: use capitals, digits and underscores, such as DATABASE.`);
    if (taken.has(`${asked}_URL`)) throw new CliError(`${asked}_URL is already set on ${app}: choose another name with --as, or detach or unset it first.`);
    return asked;
  }
  const preferred = DEFAULT_ATTACHMENT_NAMES[addon.spec.service];
  return taken.has(`${preferred}_URL`) ? fallbackAttachmentName(addon.spec.service, addon.metadata.name!) : preferred;
}

async function attach(s: Session, app: string, spec: AddonAttachment['spec'], as: string): Promise<void> {
  try {
    await s.kube.create<AddonAttachment>(Resources.AddonAttachment, {
      apiVersion: API_VERSION, kind: 'AddonAttachment',
      metadata: { name: attachmentName(app, as), namespace: s.namespace, labels: appLabels(app, 'config') },
      spec,
    });
  } catch (e) {
    if (isAlreadyExists(e)) throw new CliError(`${app} already has an attachment named ${as}: detach it first.`);
    throw e;
  }
}

async function addonsInNamespace(s: Session): Promise<{ addons: Addon[]; attachments: AddonAttachment[] }> {
  const [addons, attachments] = await Promise.all([
    s.kube.list<Addon>(Resources.Addon, s.namespace), s.kube.list<AddonAttachment>(Resources.AddonAttachment, s.namespace),
  ]);
  return { addons: addons.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)), attachments: attachments.items };
}

async function findAddon(s: Session, name: string): Promise<Addon> {
  const addon = await s.kube.find<Addon>(Resources.Addon, s.namespace, name);
  if (!addon) throw new CliError(`Couldn't find add-on ${name} in namespace ${s.namespace}. kubectl dyno addons --all lists them.`, EXIT.notFound);
  return addon;
}

/**
 * Creates the add-on and attaches it to the app; checked first, and undone if the attachment
 * fails, so bad input leaves nothing behind.
 */
export async function provisionAddon(s: Session, app: string, want: { service: AddonService; plan: AddonPlan; name?: string | undefined; as?: string | undefined }): Promise<{ name: string; as: string }> {
  const name = want.name ?? addonName(want.service);
  if (!new RegExp(OBJECT_NAME_PATTERN).test(name) || name.length > 50) throw usageError(`--name ${name}: use lowercase letters, digits and dashes (at most 50).`);
  const draft: Addon = { apiVersion: API_VERSION, kind: 'Addon', metadata: { name, namespace: s.namespace }, spec: { service: want.service, plan: want.plan } };
  const as = await chooseAs(s, app, draft, want.as);
  if (await s.kube.find(Resources.AddonAttachment, s.namespace, attachmentName(app, as))) throw new CliError(`${app} already has an attachment named ${as}: detach it first.`);
  try {
    await s.kube.create<Addon>(Resources.Addon, draft);
  } catch (e) {
    if (isAlreadyExists(e)) throw new CliError(`An add-on named ${name} already exists in namespace ${s.namespace}: choose another --name, or attach it with kubectl dyno addons:attach ${name}.`);
    throw e;
  }
  try {
    await attach(s, app, { app, addon: name, as }, as);
  } catch (e) {
    await s.kube.delete(Resources.Addon, s.namespace, name);
    throw e;
  }
  return { name, as };
}

export const addons: Run = async (s, _args, flags) => {
  const { addons: all, attachments } = await addonsInNamespace(s);
  if (flags.all) {
    const rows = all.map((a) => ({
      name: a.metadata.name!, service: a.spec.service, plan: a.spec.plan ?? 'dev', state: stateOf(a),
      attachments: attachments.filter((t) => t.spec.addon === a.metadata.name).map((t) => `${t.spec.app}::${t.status?.configVar ?? t.spec.as ?? ''}`),
    }));
    if (s.out.structured) return void s.out.data(rows);
    if (!rows.length) return void s.out.line(`No add-ons in namespace ${s.namespace}. Create one with kubectl dyno addons:create postgresql -a APP.`);
    s.out.table([['Add-on', 'Plan', 'State', 'Attached to'], ...rows.map((r) => [`${r.name} (${r.service})`, r.plan, r.state, r.attachments.join(', ')])]);
    return;
  }
  const app = (await s.app()).metadata.name!;
  const rows = attachments.filter((t) => t.spec.app === app).map((t) => {
    const addon = all.find((a) => a.metadata.name === t.spec.addon);
    return {
      name: t.metadata.name!, configVar: t.status?.configVar ?? null,
      source: addon ? `${addon.metadata.name} (${addon.spec.service}:${addon.spec.plan ?? 'dev'})` : t.spec.addon ? `${t.spec.addon} (missing)` : `secret ${t.spec.secretRef!.name}`,
      state: stateOf(t),
    };
  });
  if (s.out.structured) return void s.out.data(rows);
  if (!rows.length) return void s.out.line(`No add-ons for app ${app}. Create one with kubectl dyno addons:create postgresql -a ${app}.`);
  s.out.header(`Add-ons of ${app}`);
  s.out.table([['Attachment', 'Config var', 'From', 'State'], ...rows.map((r) => [r.name, r.configVar ?? '', r.source, r.state])]);
};

export const addonsCreate: Run = async (s, args, flags) => {
  if (args.length !== 1) throw usageError('Usage: kubectl dyno addons:create SERVICE[:PLAN] (postgresql, redis)');
  const { service, plan } = parseServicePlan(args[0]!);
  const app = (await s.app()).metadata.name!;
  s.out.note(`Creating ${service}:${plan} on ${s.out.app(app)}...`);
  const before = latestVersion(await releasesOf(s, app));
  const { name, as } = await provisionAddon(s, app, { service, plan, name: flags.name as string | undefined, as: flags.as as string | undefined });
  s.out.note(`Creating ${service}:${plan} on ${s.out.app(app)}... done`);
  s.out.line(`Created ${name} as ${as}_URL`);
  if (!flags.wait) {
    s.out.note(`${as}_URL is set in a new release once it accepts connections: kubectl dyno addons:info ${name} shows its state.`);
    return;
  }
  s.out.note(`Waiting for ${name} to accept connections...`);
  const att = await attachmentReady(s, attachmentName(app, as), 300_000);
  if (!att?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
    throw new CliError(`${name} does not accept connections yet: kubectl dyno addons:info ${name} shows why.`);
  }
  const release = before ? await nextRelease(s, app, before) : undefined;
  s.out.note(`${name} accepts connections: ${as}_URL is set${release ? ` in v${release.spec.version}` : ''}`);
};

export const addonsInfo: Run = async (s, args) => {
  if (args.length !== 1) throw usageError('Usage: kubectl dyno addons:info ADDON');
  const addon = await findAddon(s, args[0]!);
  const { attachments } = await addonsInNamespace(s);
  const ready = addon.status?.conditions?.find((c) => c.type === 'Ready');
  const info = {
    name: addon.metadata.name, service: addon.spec.service, plan: addon.spec.plan ?? 'dev', state: stateOf(addon),
    message: ready?.message ?? 'waiting for the operator', created: addon.metadata.creationTimestamp ?? null,
    attachments: attachments.filter((t) => t.spec.addon === addon.metadata.name).map((t) => ({ app: t.spec.app, configVar: t.status?.configVar ?? `${t.spec.as ?? DEFAULT_ATTACHMENT_NAMES[addon.spec.service]}_URL` })),
  };
  if (s.out.structured) return void s.out.data(info);
  s.out.header(info.name!);
  s.out.keyValues([
    ['Service', info.service], ['Plan', info.plan], ['State', `${info.state}: ${info.message}`],
    ['Attachments', info.attachments.map((a) => `${a.app}::${a.configVar}`).join(', ') || '(none)'], ['Created', info.created ?? ''],
  ]);
};

export const addonsAttach: Run = async (s, args, flags) => {
  if (args.length !== 1) throw usageError('Usage: kubectl dyno addons:attach ADDON|SECRET [--as NAME]');
  const target = args[0]!;
  if (target.includes('/')) throw usageError(`${target}: add-ons are attached within their namespace only; create the app in ${target.split('/')[0]} or a new add-on here.`);
  const app = (await s.app()).metadata.name!;
  const addon = await s.kube.find<Addon>(Resources.Addon, s.namespace, target);
  let as: string;
  let spec: AddonAttachment['spec'];
  if (addon) {
    as = await chooseAs(s, app, addon, flags.as as string | undefined);
    spec = { app, addon: target, as };
  } else {
    as = flags.as as string;
    if (!as || !new RegExp(ATTACHMENT_NAME_PATTERN).test(as)) throw usageError('--as NAME is required for a Secret: capitals, digits and underscores, such as DATABASE.');
    const key = (flags.key as string | undefined) ?? 'url';
    const secret = await s.kube.find<Secret>(Resources.Secret, s.namespace, target);
    if (!secret) throw new CliError(`Couldn't find an add-on or a Secret named ${target} in namespace ${s.namespace}.`, EXIT.notFound);
    if (!secret.data?.[key]) throw new CliError(`Secret ${target} has no key ${key}: name it with --key.`);
    spec = { app, secretRef: { name: target, key }, as };
  }
  await releasing(s, app, `Attaching ${target} as ${as} to ${s.out.app(app)}`, () => attach(s, app, spec, as));
};

export const addonsDetach: Run = async (s, args) => {
  if (args.length !== 1) throw usageError('Usage: kubectl dyno addons:detach NAME (the attachment, its AS name, or the add-on)');
  const app = (await s.app()).metadata.name!;
  const matches = (await attachmentsOf(s, app)).filter((a) => [a.metadata.name, a.spec.as, a.status?.configVar, a.spec.addon].includes(args[0]));
  if (!matches.length) throw new CliError(`Couldn't find attachment ${args[0]} on ${app}. kubectl dyno addons lists them.`, EXIT.notFound);
  if (matches.length > 1) throw usageError(`${args[0]} is attached to ${app} ${matches.length} times: name one by its config var (${matches.map((a) => a.status?.configVar ?? a.spec.as).join(', ')}).`);
  const att = matches[0]!;
  await releasing(s, app, `Detaching ${att.spec.as ?? att.metadata.name} from ${s.out.app(app)}`, () => s.kube.delete(Resources.AddonAttachment, s.namespace, att.metadata.name!));
};

export const addonsDestroy: Run = async (s, args, flags) => {
  if (args.length !== 1) throw usageError('Usage: kubectl dyno addons:destroy ADDON');
  const addon = await findAddon(s, args[0]!);
  const name = addon.metadata.name!;
  const attached = (await addonsInNamespace(s)).attachments.filter((t) => t.spec.addon === name);
  const where = attached.map((t) => `${t.spec.app} (${t.status?.configVar ?? t.spec.as ?? 'attached'})`).join(', ');
  if (attached.length && !flags.force) throw new CliError(`${name} is attached to ${where}: detach it first, or use --force to detach it everywhere.`);
  await confirmByName(s, name, flags.confirm, `This will destroy ${name} and all its data${attached.length ? `, and detach it from ${where}` : ''}.`);
  for (const t of attached) await s.kube.delete(Resources.AddonAttachment, s.namespace, t.metadata.name!);
  s.out.note(`Destroying ${name}...`);
  await s.kube.delete(Resources.Addon, s.namespace, name, { uid: addon.metadata.uid! });
  s.out.note(`Destroying ${name}... done`);
};
