// addons, addons:attach, addons:detach: attachments that give an app <AS>_URL config vars.
import type { AddonAttachment } from '../../api/addon.js';
import { API_VERSION } from '../../api/kind.js';
import { ATTACHMENT_NAME_PATTERN } from '../../api/names.js';
import { appLabels } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources } from '../../k8s/resources.js';
import type { Secret } from '../../k8s/types.js';
import { attachmentsOf, latestVersion, nextRelease, releasesOf } from '../apps-data.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { JSON_FLAG, type Command } from '../framework.js';

export const addons: Command = {
  name: 'addons',
  summary: 'list the app\'s add-ons and attachments',
  needsApp: true,
  flags: { ...JSON_FLAG },
  examples: ['kubectl dyno addons -a myapp'],
  async run(s, _args, flags) {
    const app = (await s.app()).metadata.name!;
    const list = await attachmentsOf(s, app);
    const rows = list.map((a) => ({
      name: a.metadata.name, as: a.spec.as ?? null, configVar: a.status?.configVar ?? null,
      source: a.spec.addon ? `addon ${a.spec.addon}` : `secret ${a.spec.secretRef!.name}`,
      state: a.status?.conditions?.find((c) => c.type === 'Ready')?.reason ?? 'Pending',
    }));
    if (flags.json) return void s.out.json(rows);
    if (!rows.length) return void s.out.line(`No add-ons for app ${app}.`);
    s.out.header(`Add-ons of ${app}`);
    s.out.table([['Attachment', 'Config var', 'From', 'State'], ...rows.map((r) => [r.name!, r.configVar ?? '', r.source, r.state])]);
  },
};

export const addonsAttach: Command = {
  name: 'addons:attach',
  summary: 'attach an external service: a Secret whose key holds its URL becomes <AS>_URL (a new release)',
  args: 'SECRET',
  needsApp: true,
  flags: {
    as: { type: 'string', description: 'the attachment name: DATABASE gives DATABASE_URL (required)', value: 'NAME' },
    key: { type: 'string', description: 'the Secret\'s key holding the URL (default url)', value: 'KEY' },
  },
  examples: ['kubectl dyno addons:attach papertrail-url --as PAPERTRAIL -a myapp', 'kubectl dyno addons:attach shared-db --as DATABASE --key uri'],
  async run(s, args, flags) {
    if (args.length !== 1) throw usageError('Usage: kubectl dyno addons:attach SECRET --as NAME');
    const as = flags.as as string | undefined;
    if (!as || !new RegExp(ATTACHMENT_NAME_PATTERN).test(as)) throw usageError('--as NAME is required: capitals, digits and underscores, such as DATABASE.');
    const app = (await s.app()).metadata.name!;
    const key = (flags.key as string | undefined) ?? 'url';
    const secret = await s.kube.find<Secret>(Resources.Secret, s.namespace, args[0]!);
    if (!secret) throw new CliError(`Couldn't find Secret ${args[0]} in namespace ${s.namespace}.`, EXIT.notFound);
    if (!secret.data?.[key]) throw new CliError(`Secret ${args[0]} has no key ${key}: name it with --key.`);
    const before = latestVersion(await releasesOf(s, app));
    s.out.note(`Attaching ${args[0]} as ${as} to ${s.out.app(app)}...`);
    try {
      await s.kube.create<AddonAttachment>(Resources.AddonAttachment, {
        apiVersion: API_VERSION, kind: 'AddonAttachment',
        metadata: { name: `${app}-${as.toLowerCase().replace(/_/g, '-')}`, namespace: s.namespace, labels: appLabels(app, 'config') },
        spec: { app, secretRef: { name: args[0]!, key }, as },
      });
    } catch (e) {
      if (isAlreadyExists(e)) throw new CliError(`${app} already has an attachment named ${as}: detach it first.`);
      throw e;
    }
    const release = before ? await nextRelease(s, app, before) : undefined;
    s.out.note(`Attaching ${args[0]} as ${as} to ${s.out.app(app)}... done${release ? `, v${release.spec.version}` : ''}`);
  },
};

export const addonsDetach: Command = {
  name: 'addons:detach',
  summary: 'detach an attachment (its config var goes, in a new release)',
  args: 'NAME',
  needsApp: true,
  examples: ['kubectl dyno addons:detach PAPERTRAIL -a myapp'],
  async run(s, args) {
    if (args.length !== 1) throw usageError('Usage: kubectl dyno addons:detach NAME (the attachment, or its AS name)');
    const app = (await s.app()).metadata.name!;
    const att = (await attachmentsOf(s, app)).find((a) => a.metadata.name === args[0] || a.spec.as === args[0] || a.status?.configVar === args[0]);
    if (!att) throw new CliError(`Couldn't find attachment ${args[0]} on ${app}. kubectl dyno addons lists them.`, EXIT.notFound);
    const before = latestVersion(await releasesOf(s, app));
    s.out.note(`Detaching ${att.spec.as ?? att.metadata.name} from ${s.out.app(app)}...`);
    await s.kube.delete(Resources.AddonAttachment, s.namespace, att.metadata.name!);
    const release = before ? await nextRelease(s, app, before) : undefined;
    s.out.note(`Detaching ${att.spec.as ?? att.metadata.name} from ${s.out.app(app)}... done${release ? `, v${release.spec.version}` : ''}`);
  },
};
