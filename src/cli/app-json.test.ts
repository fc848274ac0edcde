import { describe, expect, it } from '@jest/globals';
import { parseAppJson } from './app-json.js';

describe('app.json', () => {
  it('reads Heroku\'s addons forms and the formation', () => {
    expect(parseAppJson(JSON.stringify({
      name: 'shop',
      addons: ['heroku-postgresql', 'redis:dev', { plan: 'heroku-postgresql:standard', as: 'REPORTS_DATABASE' }],
      formation: { web: { quantity: 2, size: 'Standard-2X' }, worker: { quantity: 1 } },
    }))).toEqual({
      addons: [
        { service: 'postgresql', plan: 'dev' },
        { service: 'redis', plan: 'dev' },
        { service: 'postgresql', plan: 'standard', as: 'REPORTS_DATABASE' },
      ],
      formation: { web: { quantity: 2, size: 'standard-2x' }, worker: { quantity: 1 } },
    });
  });

  it('gives Heroku\'s own plan names the dev plan, and says so', () => {
    expect(parseAppJson('{"addons": ["heroku-redis:mini"]}').addons).toEqual([{ service: 'redis', plan: 'dev', replacedPlan: 'mini' }]);
  });

  it('is optional in every part', () => expect(parseAppJson('{}')).toEqual({ addons: [], formation: {} }));

  it.each([
    ['{', 'app.json: not valid JSON'],
    ['[]', 'app.json: must be a JSON object'],
    ['{"addons": ["mailgun"]}', 'app.json: addons[0]: mailgun is not offered here (postgresql, redis are)'],
    ['{"addons": [{"as": "X"}]}', 'app.json: addons[0] must be "service[:plan]"'],
    ['{"addons": [{"plan": "heroku-postgresql", "as": "lower"}]}', 'app.json: addons[0].as must be capitals'],
    ['{"formation": {"web": {"quantity": 101}}}', 'app.json: formation.web.quantity must be a whole number from 0 to 100'],
    ['{"formation": {"Web_1": {}}}', 'app.json: formation: Web_1 is not a process type name'],
    ['{"formation": {"web": {"size": "huge"}}}', 'app.json: formation.web.size huge is not a size'],
  ])('refuses %s', (text, message) => expect(() => parseAppJson(text)).toThrow(message));
});
