// The receiver under concurrent pushes (fault suite): 20 pushes to 20 apps at once all build and
// release; 5 pushes to one app at once go one at a time, and those that lost the race are told
// why, with nothing built for them. Times are printed for the note, never asserted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Build } from '../../src/api/build.js';
import { Resources } from '../../src/k8s/resources.js';
import { useNamespace } from '../support/cluster.js';
import { kube } from '../support/operator.js';
import { createApps, gitUrl, pushFixture, pusherToken, seconds, startReceiver, useBuilds, type InProcessReceiver } from '../support/receiver.js';

const ns = useNamespace('rcv-many');
useBuilds(ns);
let r: InProcessReceiver;
let token = '';
const apps = Array.from({ length: 20 }, (_, i) => `many-${i + 1}`);

beforeAll(async () => {
  r = await startReceiver(await mkdtemp(join(tmpdir(), 'dynokube-receiver-')));
  token = await pusherToken(ns.name);
  await createApps(ns.name, [...apps, 'contended']);
});

afterAll(async () => {
  await r?.stop();
  if (r) await rm(r.root, { recursive: true, force: true });
});

const buildsOf = async (app: string) => (await kube().list<Build>(Resources.Build, ns.name)).items.filter((b) => b.spec.app === app);

describe('concurrent pushes', () => {
  it('builds and releases 20 pushes to 20 apps at once, and keeps none of their sources', async () => {
    const t0 = Date.now();
    const results = await Promise.all(apps.map((app) => pushFixture(gitUrl(r.port, ns.name, app, token))));
    console.log(`20 concurrent pushes to different apps: all done in ${seconds(t0)}`);
    results.forEach((res, i) => {
      expect({ app: apps[i], code: res.code, released: res.stderr.includes('remote: -----> Released v1') }).toEqual({ app: apps[i], code: 0, released: true });
    });
    expect(await readdir(join(r.root, 'sources'))).toEqual([]);
  }, 600_000);

  it('takes 5 pushes to one app one at a time: one lands, the others are told another push landed first', async () => {
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => pushFixture(gitUrl(r.port, ns.name, 'contended', token), 'procfile', { WHO: `pusher ${i}\n` })));
    console.log(`5 concurrent pushes to one app: all answered in ${seconds(t0)}`);
    const landed = results.filter((res) => res.code === 0);
    expect(landed).toHaveLength(1);
    expect(landed[0]!.stderr).toContain('remote: -----> Released v1');
    for (const lost of results.filter((res) => res.code !== 0)) {
      expect(lost.stderr).toContain('Waiting for another push to contended to finish');
      expect(lost.stderr).toContain('main changed while this push waited: another push landed first. Nothing was built; pull, then push again.');
    }
    // Nothing was built for the four refused, and the branch is the one that landed.
    const builds = await buildsOf('contended');
    expect(builds.map((b) => b.spec.source.commit)).toEqual([landed[0]!.sha]);
    expect(r.lines.filter((l) => l.msg === 'git refused').length).toBe(4);
  }, 300_000);
});
