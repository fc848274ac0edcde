import { describe, expect, it } from '@jest/globals';
import type { Pod } from '../../k8s/types.js';
import { stallCondition } from './stall.js';

const pod = (status: NonNullable<Pod['status']>['containerStatuses']): Pod => ({ metadata: { name: 'shop-web-1' }, status: { containerStatuses: status } });
const ran = (seconds: number, exitCode: number) => [{
  name: 'web', image: 'i', imageID: '', ready: false, restartCount: 2,
  lastState: { terminated: { exitCode, startedAt: new Date('2026-11-23T10:00:00Z'), finishedAt: new Date(Date.parse('2026-11-23T10:00:00Z') + seconds * 1000) } },
}];

describe('a stalled rollout is explained from its pods', () => {
  it('as an image that cannot be pulled', () => {
    const c = stallCondition(['web'], 7, [pod([{ name: 'web', image: 'reg/x@sha256:0', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "reg/x@sha256:0"' } } }])], 120);
    expect(c).toEqual({ type: 'Degraded', status: 'True', reason: 'ImagePullFailed', message: 'web dynos of v7 cannot start: their image cannot be pulled (ImagePullBackOff: Back-off pulling image "reg/x@sha256:0"); the dynos running before keep serving' });
  });

  it('as dynos that exit on their own long before the boot timeout', () => {
    expect(stallCondition(['web', 'worker'], 3, [pod(ran(2, 1))], 120)).toMatchObject({ reason: 'Crashing', message: 'web, worker dynos of v3 keep crashing (exit status 1) and have not become ready in 120 s; the dynos running before keep serving. See kubectl dyno logs' });
  });

  it('as a web dyno killed at the boot timeout for not binding $PORT (R10), or one never seen to end', () => {
    const r10 = 'web dynos of v7 have not become ready in 120 s: a web dyno must bind $PORT within 60 s of starting (Heroku\'s R10 boot timeout); the dynos running before keep serving. See kubectl dyno logs and kubectl dyno ps';
    expect(stallCondition(['web'], 7, [pod(ran(61, 143))], 120)).toMatchObject({ reason: 'BootTimeout', message: r10 });
    expect(stallCondition(['web'], 7, [], 120)).toMatchObject({ reason: 'BootTimeout', message: r10 });
  });
});
