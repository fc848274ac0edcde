import type { Command } from '../framework.js';
import { addons, addonsAttach, addonsCreate, addonsDestroy, addonsDetach, addonsInfo } from './addons.js';
import { apps, appsCreate, appsDestroy, appsInfo } from './apps.js';
import { builds, buildsInfo, buildsOutput } from './builds.js';
import { certs, certsAdd, certsAutoDisable, certsAutoEnable, certsRemove } from './certs.js';
import { config, configGet, configSet, configUnset } from './config.js';
import { dashboard } from './dashboard.js';
import { domains, domainsAdd, domainsRemove, maintenance, maintenanceOff, maintenanceOn, open } from './domains.js';
import { gitCredentials, gitRemote } from './git.js';
import { logs } from './logs.js';
import { ps, psAutoscaleDisable, psAutoscaleEnable, psRestart, psScale, psSleepDisable, psSleepEnable, psType } from './ps.js';
import { releases, releasesInfo, rollback } from './releases.js';
import { run, runDetached } from './run.js';

export const COMMANDS: Command[] = [
  addons, addonsAttach, addonsCreate, addonsDestroy, addonsDetach, addonsInfo,
  apps, appsCreate, appsDestroy, appsInfo,
  builds, buildsInfo, buildsOutput,
  certs, certsAdd, certsAutoDisable, certsAutoEnable, certsRemove,
  config, configGet, configSet, configUnset,
  dashboard,
  domains, domainsAdd, domainsRemove,
  gitCredentials, gitRemote,
  logs,
  maintenance, maintenanceOff, maintenanceOn,
  open,
  ps, psRestart, psScale, psType, psSleepEnable, psSleepDisable, psAutoscaleEnable, psAutoscaleDisable,
  releases, releasesInfo, rollback,
  run, runDetached,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
