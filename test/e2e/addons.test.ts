// Add-ons on a real node: apps:create in a repository with an app.json provisions PostgreSQL and
// Redis (images made here from Debian's packages, volumes on this machine); git push runs the
// release phase's migration against the database; the app writes and reads through
// DATABASE_URL and REDIS_URL, and its data survives a redeploy, a dyno restart and a restart of
// the database itself; destroying an add-on takes its data only once confirmed.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Addon, AddonAttachment } from '../../src/api/addon.js';
import type { App } from '../../src/api/app.js';
import type { Formation } from '../../src/api/formation.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod } from '../../src/k8s/types.js';
import { dyno as cli } from '../support/cli.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually } from '../support/operator.js';
import { viaIngress } from '../support/real-stack.js';
import { useRealStack } from '../support/use-real-stack.js';

const NS = 'e2e-addons';
const stack = useRealStack(NS);

const dyno = (args: string[], cwd?: string) => cli([...args, '-n', NS], { env: { KUBECONFIG: stack.kubeconfig }, ...(cwd ? { cwd } : {}) });
/** The body of GET path on the app, once it answers 200 with a body that passes `ok`. */
const get = (path: string, ok: (body: string) => boolean = () => true) => eventually(`GET ${path}`, async () => {
  const r = await viaIngress(stack, 'notes', path);
  return r.status === 200 && ok(r.body.trim()) && r.body.trim();
}, 120_000);
const attachments = async () => (await stack.kube.list<AddonAttachment>(Resources.AddonAttachment, NS)).items.filter((a) => a.spec.app === 'notes');
const addonOf = async (service: string) => (await stack.kube.list<Addon>(Resources.Addon, NS)).items.find((a) => a.spec.service === service)!;
const live = async () => (await stack.kube.get<App>(Resources.App, NS, 'notes')).status?.currentRelease;

describe('add-ons on a real node', () => {
  let repo: Awaited<ReturnType<typeof repoFrom>>;

  it('apps:create in a repository with app.json provisions its add-ons and formation; they come to accept connections', async () => {
    repo = await repoFrom('addons');
    await repo.commit();
    const r = await dyno(['apps:create', 'notes', '--no-remote'], repo.dir);
    expect(r.stderr).toMatch(/Created postgresql-[a-z]+-\d+ \(postgresql:dev\) as DATABASE_URL, from app\.json/);
    expect(r.stderr).toContain('app.json asks for redis:mini, which is not offered here: using redis:dev');
    expect(r.stderr).toMatch(/Created redis-[a-z]+-\d+ \(redis:dev\) as REDIS_URL, from app\.json/);
    expect(r.code).toBe(0);
    expect((await stack.kube.get<Formation>(Resources.Formation, NS, 'notes')).spec.processes.web).toEqual({ quantity: 1, size: 'basic' });
    const ready = await eventually('both attachments ready', async () => {
      const list = await attachments();
      return list.length === 2 && list.every((a) => a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) && list;
    }, 300_000);
    expect(ready.map((a) => a.status!.configVar).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
  });

  it('git push runs the release phase\'s migration against the database; the app writes and reads a row, and counts in Redis', async () => {
    const push = await runGit(['push', stack.gitUrl('notes'), 'HEAD:refs/heads/main'], repo.dir);
    expect(push.stderr).toContain('remote: -----> Running the release command: ./bin/migrate');
    expect(push.stderr).toMatch(/remote: -----> Released v\d+/);
    expect(push.code).toBe(0);
    expect(await get('/cgi-bin/note?first')).toBe('first');
    expect(await get('/cgi-bin/counter')).toBe('1');
    expect(await get('/cgi-bin/counter')).toBe('2');
  });

  it('keeps the data across a redeploy, a dyno restart and a restart of the database itself', async () => {
    const before = (await live())!;
    await runGit(['commit', '--allow-empty', '--quiet', '-m', 'redeploy'], repo.dir);
    const push = await runGit(['push', stack.gitUrl('notes'), 'HEAD:refs/heads/main'], repo.dir);
    expect(push.code).toBe(0);
    await get('/', (b) => b === `notes v${before + 1}`);
    expect(await get('/cgi-bin/note')).toBe('first');
    expect(await get('/cgi-bin/counter')).toBe('3');

    expect((await dyno(['ps:restart', '-a', 'notes'])).code).toBe(0);
    expect(await get('/cgi-bin/note')).toBe('first');

    const pg = await addonOf('postgresql');
    const server = `${pg.metadata.name}-0`;
    const old = (await stack.kube.get<Pod>(Resources.Pod, NS, server)).metadata.uid;
    await stack.kube.delete(Resources.Pod, NS, server);
    // Until the operator sees the deletion, the Addon still says Available: wait for the new server.
    await eventually('the database back', async () => {
      const p = await stack.kube.find<Pod>(Resources.Pod, NS, server);
      const ready = p && p.metadata.uid !== old && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return ready && (await stack.kube.get<Addon>(Resources.Addon, NS, pg.metadata.name!)).status?.conditions?.some((c) => c.reason === 'Available');
    }, 120_000);
    // Reads are retried until the database answers, with the note from before its restart; the
    // write is made once (retried, a write that landed before its answer was lost would land twice).
    expect(await get('/cgi-bin/note', (b) => b === 'first')).toBe('first');
    const write = await viaIngress(stack, 'notes', '/cgi-bin/note?second');
    expect({ status: write.status, body: write.body.trim() }).toEqual({ status: 200, body: 'first,second' });
  });

  it('addons:destroy deletes an add-on\'s data only once confirmed', async () => {
    const redis = (await addonOf('redis')).metadata.name!;
    const dataDirs = () => (existsSync(stack.volumes) ? readdirSync(stack.volumes).filter((d) => d.startsWith(`${NS}-${redis}-data-`)) : []);
    expect(dataDirs()).toHaveLength(1);
    expect(readdirSync(join(stack.volumes, dataDirs()[0]!))).toContain('appendonlydir');

    expect((await dyno(['addons:detach', 'REDIS', '-a', 'notes'])).code).toBe(0);
    const refused = await dyno(['addons:destroy', redis]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`This will destroy ${redis} and all its data. Re-run with --confirm ${redis}.`);
    expect(await stack.kube.find(Resources.Addon, NS, redis)).toBeDefined();
    expect(dataDirs()).toHaveLength(1);

    const r = await dyno(['addons:destroy', redis, '--confirm', redis]);
    expect(r.code).toBe(0);
    await eventually('its volume removed from this machine', async () => dataDirs().length === 0, 120_000);
    expect(await get('/cgi-bin/note')).toBe('first,second');
  });
});
