// domains, domains:add, domains:remove, maintenance, maintenance:on, maintenance:off, open
// Imported only when one of them runs; commands/domains.ts holds their flags and help.
import { openInBrowser } from '../browser.js';
import { HOSTNAME_PATTERN } from '../../api/names.js';
import type { App } from '../../api/app.js';
import { Resources } from '../../k8s/resources.js';
import { setDomains, setMaintenance } from '../../client/settings.js';
import type { Ingress } from '../../k8s/types.js';
import { CliError, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import type { Session } from '../session.js';

export const domains: Run = async (s) => {
  const app = await s.app();
  const custom = app.spec.domains ?? [];
  const host = app.status?.url ? new URL(app.status.url).host : undefined;
  if (s.out.structured) return void s.out.data({ default: host ?? null, custom });
  s.out.header(`${app.metadata.name} Default Domain`);
  s.out.line(host ?? '(none yet: the app has no web process)');
  if (custom.length) {
    s.out.line();
    s.out.header(`${app.metadata.name} Custom Domains`);
    for (const d of custom) s.out.line(d);
  }
};

export const domainsAdd: Run = async (s, args) => {
  const host = args[0]?.toLowerCase();
  if (!host || args.length !== 1) throw usageError('Usage: kubectl dyno domains:add HOSTNAME');
  if (!new RegExp(HOSTNAME_PATTERN).test(host)) throw usageError(`${host} is not a valid host name.`);
  const app = await s.app();
  const list = app.spec.domains ?? [];
  if (list.includes(host)) throw new CliError(`${host} is already added to ${app.metadata.name}.`);
  s.out.note(`Adding ${host} to ${s.out.app(app.metadata.name!)}...`);
  await setDomains(s, app.metadata.name!, [...list, host]);
  s.out.note(`Adding ${host} to ${s.out.app(app.metadata.name!)}... done`);
  const target = await dnsTarget(s, app);
  if (target) s.out.note(`Configure your DNS provider to point ${host} at the DNS target ${target} (a CNAME record${/^[\d.:]+$/.test(target) ? ', or an A record for an address' : ''}).`);
  else s.out.note(`Point ${host}'s DNS at your cluster's ingress to route it.`);
  if (!app.spec.tls?.issuer && !app.spec.tls?.secretName) {
    s.out.note(`For HTTPS on ${host}, give the app a certificate: kubectl dyno certs:add CRT KEY, or kubectl dyno certs:auto:enable with a cert-manager issuer.`);
  }
};

/** Where a custom domain's DNS points: the Ingress's load balancer if it has one, else the app's own host. */
async function dnsTarget(s: Session, app: App): Promise<string | undefined> {
  const ingress = await s.kube.find<Ingress>(Resources.Ingress, s.namespace, app.metadata.name!).catch(() => undefined);
  const lb = ingress?.status?.loadBalancer?.ingress?.[0];
  return lb?.hostname ?? lb?.ip ?? (app.status?.url ? new URL(app.status.url).hostname : undefined);
}

export const domainsRemove: Run = async (s, args) => {
  const host = args[0]?.toLowerCase();
  if (!host || args.length !== 1) throw usageError('Usage: kubectl dyno domains:remove HOSTNAME');
  const app = await s.app();
  const list = app.spec.domains ?? [];
  if (!list.includes(host)) throw new CliError(`${host} is not a domain of ${app.metadata.name}.`);
  s.out.note(`Removing ${host} from ${s.out.app(app.metadata.name!)}...`);
  await setDomains(s, app.metadata.name!, list.filter((d) => d !== host));
  s.out.note(`Removing ${host} from ${s.out.app(app.metadata.name!)}... done`);
};

export const maintenance: Run = async (s) => {
  const on = (await s.app()).spec.maintenance === true;
  if (s.out.structured) return void s.out.data({ maintenance: on });
  s.out.line(on ? 'on' : 'off');
};

const switchMaintenance = (on: boolean): Run => async (s) => {
  const app = (await s.app()).metadata.name!;
  s.out.note(`${on ? 'Enabling' : 'Disabling'} maintenance mode for ${s.out.app(app)}...`);
  await setMaintenance(s, app, on);
  s.out.note(`${on ? 'Enabling' : 'Disabling'} maintenance mode for ${s.out.app(app)}... done`);
};
export const maintenanceOn = switchMaintenance(true);
export const maintenanceOff = switchMaintenance(false);

export const open: Run = async (s, args) => {
  const app = await s.app();
  if (!app.status?.url) throw new CliError(`${app.metadata.name} has no URL yet: it needs a release with a web process.`);
  const url = new URL(args[0] ?? '/', app.status.url).toString();
  await openInBrowser(url);
  s.out.line(url);
};
