// app.json, as Heroku reads it when an app is first set up from a repository: the add-ons to
// provision and the formation to start with. Read and checked in full before anything is made.
import { ADDON_SERVICES, isAddonPlan, offeredService, type AddonPlan, type AddonService } from '../api/addon.js';
import { ATTACHMENT_NAME_PATTERN, isProcessType } from '../api/names.js';
import { DYNO_SIZES, MAX_QUANTITY, type DynoSize } from '../api/sizes.js';

export interface AppJsonAddon {
  service: AddonService;
  plan: AddonPlan;
  as?: string;
  /** Set when the requested plan is not offered here and dev is used instead. */
  replacedPlan?: string;
}

export interface AppJson {
  addons: AppJsonAddon[];
  formation: Record<string, { quantity: number; size?: DynoSize }>;
}

const fail = (what: string): never => {
  throw new Error(`app.json: ${what}`);
};

function parseAddon(entry: unknown, i: number): AppJsonAddon {
  const spec = typeof entry === 'string' ? { plan: entry } : entry;
  if (!spec || typeof spec !== 'object' || typeof (spec as { plan?: unknown }).plan !== 'string') {
    return fail(`addons[${i}] must be "service[:plan]" or {"plan": "service[:plan]", "as": "NAME"}`);
  }
  const { plan: full, as } = spec as { plan: string; as?: unknown };
  const [raw, plan] = full.split(':') as [string, string?];
  const service = offeredService(raw);
  if (!service) return fail(`addons[${i}]: ${raw} is not offered here (${ADDON_SERVICES.join(', ')} are)`);
  if (as !== undefined && (typeof as !== 'string' || !new RegExp(ATTACHMENT_NAME_PATTERN).test(as))) fail(`addons[${i}].as must be capitals, digits and underscores, such as DATABASE`);
  // Heroku's own plan names (essential-0, mini, ...) mean nothing here: they get the dev plan.
  const offered = plan === undefined || isAddonPlan(plan);
  return {
    service,
    plan: offered ? plan ?? 'dev' : 'dev',
    ...(as ? { as: as as string } : {}),
    ...(offered ? {} : { replacedPlan: plan }),
  };
}

export function parseAppJson(text: string): AppJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return fail('must be a JSON object');
  const { addons = [], formation = {} } = doc as { addons?: unknown; formation?: unknown };
  if (!Array.isArray(addons)) fail('addons must be a list');
  if (!formation || typeof formation !== 'object' || Array.isArray(formation)) fail('formation must be an object of process types');
  const out: AppJson = { addons: (addons as unknown[]).map(parseAddon), formation: {} };
  for (const [type, p] of Object.entries(formation as Record<string, unknown>)) {
    if (!isProcessType(type)) fail(`formation: ${type} is not a process type name (lowercase letters, digits and dashes)`);
    const { quantity = 1, size } = (p ?? {}) as { quantity?: unknown; size?: unknown };
    if (!Number.isInteger(quantity) || (quantity as number) < 0 || (quantity as number) > MAX_QUANTITY) fail(`formation.${type}.quantity must be a whole number from 0 to ${MAX_QUANTITY}`);
    if (size !== undefined && !(DYNO_SIZES as readonly string[]).includes(String(size).toLowerCase())) fail(`formation.${type}.size ${String(size)} is not a size (${DYNO_SIZES.join(', ')})`);
    out.formation[type] = { quantity: quantity as number, ...(size !== undefined ? { size: String(size).toLowerCase() as DynoSize } : {}) };
  }
  return out;
}
