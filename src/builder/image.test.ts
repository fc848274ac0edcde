import { describe, expect, it } from '@jest/globals';
import { slugConfig } from './image.js';

describe('slugConfig', () => {
  it('adds the slug\'s layers on the run image, running as the dyno user in /app with HOME=/app', () => {
    const base = { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/usr/bin', 'HOME=/root'], User: 'root' }, rootfs: { type: 'layers' as const, diff_ids: ['sha256:base'] }, history: [{ created_by: 'base' }] };
    const slug = [{ diffId: 'sha256:node', holds: '/app/.heroku/node' }, { diffId: 'sha256:app', holds: '/app' }];
    const c = slugConfig(base, slug, { 'dynokube.dev/app': 'shop' }, 'dynokube build b1', new Date(0));
    expect(c.rootfs.diff_ids).toEqual(['sha256:base', 'sha256:node', 'sha256:app']);
    expect(c.config).toMatchObject({ Env: ['PATH=/usr/bin', 'HOME=/app'], WorkingDir: '/app', User: '1000:1000', Labels: { 'dynokube.dev/app': 'shop' } });
    expect(c.history!.map((h) => h.created_by)).toEqual(['base', 'dynokube build b1: /app/.heroku/node', 'dynokube build b1: /app']);
    expect(base.rootfs.diff_ids).toEqual(['sha256:base']);
  });
});
