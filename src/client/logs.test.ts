import { describe, expect, it } from '@jest/globals';
import { routerLine } from './logs.js';

describe('router lines in the router\'s log', () => {
  const line = JSON.stringify({ level: 30, time: '2026-11-23T06:28:13.001Z', namespace: 'shop-ns', app: 'shop', msg: 'at=info method=GET path="/" dyno=web.1' });
  it('are this app\'s when the namespace and the app both match', () => {
    expect(routerLine(line, 'shop-ns', 'shop')).toBe('at=info method=GET path="/" dyno=web.1');
  });
  it('are not another namespace\'s app of the same name, nor the router\'s own messages', () => {
    expect(routerLine(line, 'other-ns', 'shop')).toBeUndefined();
    expect(routerLine(JSON.stringify({ level: 30, component: 'dynokube-router', msg: 'router listening' }), 'shop-ns', 'shop')).toBeUndefined();
    expect(routerLine('not json', 'shop-ns', 'shop')).toBeUndefined();
  });
});
