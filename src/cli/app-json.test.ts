import { describe, expect, it } from '@jest/globals';
import { configVarsFor, parseAppJson } from './app-json.js';

describe('app.json', () => {
  it('reads Heroku\'s addons forms and the formation', () => {
    expect(parseAppJson(JSON.stringify({
      name: 'shop',
      addons: ['heroku-postgresql', 'redis:dev', { plan: 'heroku-postgresql:standard', as: 'REPORTS_DATABASE' }],
      formation: { web: { quantity: 2, size: 'Standard-2X' }, worker: { quantity: 1 }, celery_beat: { quantity: 0 } },
    }))).toEqual({
      env: {},
      buildpacks: [],
      addons: [
        { service: 'postgresql', plan: 'dev' },
        { service: 'redis', plan: 'dev' },
        { service: 'postgresql', plan: 'standard', as: 'REPORTS_DATABASE' },
      ],
      formation: { web: { quantity: 2, size: 'standard-2x' }, worker: { quantity: 1 }, 'celery-beat': { quantity: 0 } },
    });
  });

  it('reads env, buildpacks, stack and the postdeploy script', () => {
    expect(parseAppJson(JSON.stringify({
      env: {
        SECRET_KEY: { description: 'signs sessions', generator: 'secret' },
        WEB_CONCURRENCY: { value: '3' },
        LANGUAGE: 'en',
        API_TOKEN: { description: 'for the API' },
        SENTRY_DSN: { required: false },
      },
      buildpacks: [{ url: 'heroku/nodejs' }, { url: 'https://git.example.com/bp.git#v2' }],
      stack: 'debian-12',
      scripts: { postdeploy: 'bin/seed', 'pr-predestroy': 'bin/drop' },
    }))).toEqual({
      env: {
        SECRET_KEY: { description: 'signs sessions', generator: 'secret', required: true },
        WEB_CONCURRENCY: { value: '3', required: true },
        LANGUAGE: { value: 'en', required: true },
        API_TOKEN: { description: 'for the API', required: true },
        SENTRY_DSN: { required: false },
      },
      buildpacks: ['heroku/nodejs', 'https://git.example.com/bp.git#v2'],
      stack: 'debian-12',
      addons: [],
      formation: {},
      postdeploy: 'bin/seed',
    });
  });

  it('takes postdeploy\'s object form, and knows Heroku\'s own stacks are none here', () => {
    const doc = parseAppJson('{"stack": "heroku-24", "scripts": {"postdeploy": {"command": "./seed", "size": "standard-1x"}}}');
    expect(doc).toMatchObject({ herokuStack: 'heroku-24', postdeploy: './seed' });
    expect(doc.stack).toBeUndefined();
  });

  it('gives Heroku\'s own plan names the dev plan, and says so', () => {
    expect(parseAppJson('{"addons": ["heroku-redis:mini"]}').addons).toEqual([{ service: 'redis', plan: 'dev', replacedPlan: 'mini' }]);
  });

  it('is optional in every part', () => expect(parseAppJson('{}')).toEqual({ env: {}, buildpacks: [], addons: [], formation: {} }));

  it.each([
    ['{', 'app.json: not valid JSON'],
    ['[]', 'app.json: must be a JSON object'],
    ['{"addons": ["mailgun"]}', 'app.json: addons[0]: mailgun is not offered here (postgresql, redis are)'],
    ['{"addons": [{"as": "X"}]}', 'app.json: addons[0] must be "service[:plan]"'],
    ['{"addons": [{"plan": "heroku-postgresql", "as": "lower"}]}', 'app.json: addons[0].as must be capitals'],
    ['{"formation": {"web": {"quantity": 101}}}', 'app.json: formation.web.quantity must be a whole number from 0 to 100'],
    ['{"formation": {"web.1": {}}}', 'app.json: formation: web.1 is not a process type name'],
    ['{"formation": {"web": {"size": "huge"}}}', 'app.json: formation.web.size huge is not a size'],
    ['{"env": {"MY-VAR": "x"}}', 'app.json: env: MY-VAR is not a config var name'],
    ['{"env": {"KEY": {"generator": "uuid"}}}', 'app.json: env.KEY.generator "uuid" is not one Heroku has: only "secret"'],
    ['{"env": {"KEY": {"value": 3}}}', 'app.json: env.KEY.value must be a string'],
    ['{"buildpacks": ["heroku/nodejs"]}', 'app.json: buildpacks[0].url must be a buildpack URL'],
    ['{"stack": "Ubuntu 24"}', 'app.json: stack Ubuntu 24 is not a stack name'],
    ['{"scripts": {"postdeploy": ""}}', 'app.json: scripts.postdeploy must be a command'],
  ])('refuses %s', (text, message) => expect(() => parseAppJson(text)).toThrow(message));
});

describe('the config vars app.json gives', () => {
  const env = parseAppJson(JSON.stringify({
    env: { SECRET_KEY: { generator: 'secret' }, MODE: { value: 'demo' }, API_TOKEN: {}, REGION: { description: 'where' }, SENTRY_DSN: { required: false } },
  }));

  it('are the given ones, fixed values and generated secrets', () => {
    expect(configVarsFor(env, { API_TOKEN: 't', REGION: 'eu', EXTRA: '1' }, () => 's3cr3t')).toEqual({ SECRET_KEY: 's3cr3t', MODE: 'demo', API_TOKEN: 't', REGION: 'eu', EXTRA: '1' });
  });

  it('let the user override a fixed value', () => expect(configVarsFor(env, { API_TOKEN: 't', REGION: 'eu', MODE: 'live' }).MODE).toBe('live'));

  it('generate a new 64-character secret for each app', () => {
    const a = configVarsFor(env, { API_TOKEN: 't', REGION: 'eu' }).SECRET_KEY!;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(configVarsFor(env, { API_TOKEN: 't', REGION: 'eu' }).SECRET_KEY).not.toBe(a);
  });

  it('are refused with the list of required ones not given', () => {
    expect(() => configVarsFor(env, {})).toThrow('app.json needs config vars that were not given: API_TOKEN, REGION. Give each with --env NAME=VALUE');
  });
});
