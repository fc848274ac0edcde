// app.json, as Heroku's "Deploy" flow reads it when an app is first set up from a repository:
// the config vars to set (fixed values, generated secrets, values the user must give), the
// buildpacks and stack, the add-ons to provision, the formation to start with and the
// postdeploy script. Read and checked in full before anything is made.
import { randomBytes } from 'node:crypto';
import { ADDON_SERVICES, isAddonPlan, offeredService, type AddonPlan, type AddonService } from '../api/addon.js';
import { BUILDPACK_PATTERN } from '../api/app.js';
import { ATTACHMENT_NAME_PATTERN, CONFIG_VAR_PATTERN, PROCESS_TYPE_PATTERN, isProcessType, processTypeName } from '../api/names.js';
import { DYNO_SIZES, MAX_QUANTITY, type DynoSize } from '../api/sizes.js';

export interface AppJsonAddon {
  service: AddonService;
  plan: AddonPlan;
  as?: string;
  /** Set when the requested plan is not offered here and dev is used instead. */
  replacedPlan?: string;
}

export interface AppJsonEnvVar {
  description?: string;
  value?: string;
  generator?: 'secret';
  /** Heroku's default: a variable with no value and no generator must be given. */
  required: boolean;
}

export interface AppJson {
  env: Record<string, AppJsonEnvVar>;
  buildpacks: string[];
  /** The stack to build on; undefined for none, or for one of Heroku's, which are not stacks here. */
  stack?: string;
  /** Heroku's own stack app.json names (heroku-24, say): the app gets the cluster's default. */
  herokuStack?: string;
  addons: AppJsonAddon[];
  formation: Record<string, { quantity: number; size?: DynoSize }>;
  postdeploy?: string;
}

const fail = (what: string): never => {
  throw new Error(`app.json: ${what}`);
};

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function parseAddon(entry: unknown, i: number): AppJsonAddon {
  const spec = typeof entry === 'string' ? { plan: entry } : entry;
  if (!isObject(spec) || typeof spec.plan !== 'string') {
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

function parseEnv(env: unknown): Record<string, AppJsonEnvVar> {
  if (!isObject(env)) return fail('env must be an object of config vars');
  const out: Record<string, AppJsonEnvVar> = {};
  for (const [name, spec] of Object.entries(env)) {
    if (!new RegExp(CONFIG_VAR_PATTERN).test(name)) fail(`env: ${name} is not a config var name (letters, digits and underscores)`);
    if (typeof spec === 'string') {
      out[name] = { value: spec, required: true };
      continue;
    }
    if (!isObject(spec)) return fail(`env.${name} must be a value or {"description", "value", "required", "generator"}`);
    const { description, value, required = true, generator } = spec;
    if (value !== undefined && typeof value !== 'string') fail(`env.${name}.value must be a string`);
    if (typeof required !== 'boolean') fail(`env.${name}.required must be true or false`);
    if (generator !== undefined && generator !== 'secret') fail(`env.${name}.generator ${JSON.stringify(generator)} is not one Heroku has: only "secret"`);
    out[name] = {
      ...(typeof description === 'string' ? { description } : {}),
      ...(value !== undefined ? { value: value as string } : {}),
      ...(generator ? { generator: 'secret' as const } : {}),
      required: required as boolean,
    };
  }
  return out;
}

function parseBuildpacks(list: unknown): string[] {
  if (!Array.isArray(list)) return fail('buildpacks must be a list of {"url": ...}');
  return list.map((b, i) => {
    const url = isObject(b) ? b.url : undefined;
    if (typeof url !== 'string' || !new RegExp(BUILDPACK_PATTERN).test(url)) return fail(`buildpacks[${i}].url must be a buildpack URL or a name such as heroku/python`);
    return url;
  });
}

/** Heroku's stacks (heroku-24, cedar-14, container) are Ubuntu images this cluster does not have. */
const HEROKU_STACK = /^(heroku-\d+|cedar(-\d+)?|container)$/;

function parseStack(stack: unknown): Pick<AppJson, 'stack' | 'herokuStack'> {
  if (typeof stack !== 'string') return fail('stack must be a string, such as debian-12');
  if (HEROKU_STACK.test(stack)) return { herokuStack: stack };
  if (stack.length > 63 || !new RegExp(PROCESS_TYPE_PATTERN).test(stack)) fail(`stack ${stack} is not a stack name (lowercase letters, digits and dashes)`);
  return { stack };
}

function parsePostdeploy(scripts: unknown): string | undefined {
  if (!isObject(scripts)) return fail('scripts must be an object, such as {"postdeploy": "bin/seed"}');
  const p = scripts.postdeploy;
  if (p === undefined) return undefined;
  const command = isObject(p) ? p.command : p;
  if (typeof command !== 'string' || !command.trim()) return fail('scripts.postdeploy must be a command, or {"command": ...}');
  return command.trim();
}

export function parseAppJson(text: string): AppJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) return fail('must be a JSON object');
  const { addons = [], formation = {}, env = {}, buildpacks = [], stack, scripts = {} } = doc;
  if (!Array.isArray(addons)) fail('addons must be a list');
  if (!isObject(formation)) fail('formation must be an object of process types');
  const postdeploy = parsePostdeploy(scripts);
  const out: AppJson = {
    env: parseEnv(env),
    buildpacks: parseBuildpacks(buildpacks),
    ...(stack !== undefined ? parseStack(stack) : {}),
    addons: (addons as unknown[]).map(parseAddon),
    formation: {},
    ...(postdeploy ? { postdeploy } : {}),
  };
  for (const [given, p] of Object.entries(formation as Record<string, unknown>)) {
    const type = processTypeName(given);
    if (!isProcessType(type)) fail(`formation: ${given} is not a process type name (letters, digits, dashes and underscores)`);
    const { quantity = 1, size } = (p ?? {}) as { quantity?: unknown; size?: unknown };
    if (!Number.isInteger(quantity) || (quantity as number) < 0 || (quantity as number) > MAX_QUANTITY) fail(`formation.${given}.quantity must be a whole number from 0 to ${MAX_QUANTITY}`);
    if (size !== undefined && !(DYNO_SIZES as readonly string[]).includes(String(size).toLowerCase())) fail(`formation.${given}.size ${String(size)} is not a size (${DYNO_SIZES.join(', ')})`);
    out.formation[type] = { quantity: quantity as number, ...(size !== undefined ? { size: String(size).toLowerCase() as DynoSize } : {}) };
  }
  return out;
}

/**
 * The config vars app.json gives a new app: `given` first (what the user said), then fixed values,
 * then generated secrets. Throws naming every required variable that has none.
 */
export function configVarsFor(setup: Pick<AppJson, 'env'>, given: Record<string, string>, secret = () => randomBytes(32).toString('hex')): Record<string, string> {
  const vars: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, v] of Object.entries(setup.env)) {
    const value = given[name] ?? v.value ?? (v.generator === 'secret' ? secret() : undefined);
    if (value !== undefined) vars[name] = value;
    else if (v.required) missing.push(name);
  }
  if (missing.length) throw new Error(`app.json needs config vars that were not given: ${missing.join(', ')}. Give each with --env NAME=VALUE`);
  return { ...vars, ...given };
}
