import { describe, expect, it } from '@jest/globals';
import { formatRouterLine } from './log-line.js';

const base = { method: 'GET', path: '/', host: 'myapp.dynokube.localhost', requestId: 'f9ed4675-f4f2-4b3c-9b2f-7a9d0a2e4e4a', fwd: '203.0.113.7', protocol: 'https' };

describe('the router line', () => {
  it('has Heroku\'s fields in Heroku\'s order', () => {
    expect(formatRouterLine({ ...base, dyno: 'web.1', connectMs: 0.4, serviceMs: 12.2, status: 200, bytes: 1523 })).toBe(
      'at=info method=GET path="/" host=myapp.dynokube.localhost request_id=f9ed4675-f4f2-4b3c-9b2f-7a9d0a2e4e4a fwd="203.0.113.7" dyno=web.1 connect=0ms service=12ms status=200 bytes=1523 protocol=https',
    );
  });
  it('names the code and its description on errors', () => {
    expect(formatRouterLine({ ...base, code: 'H12', dyno: 'web.2', connectMs: 1, serviceMs: 30001, status: 503, bytes: 0 })).toBe(
      'at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.dynokube.localhost request_id=f9ed4675-f4f2-4b3c-9b2f-7a9d0a2e4e4a fwd="203.0.113.7" dyno=web.2 connect=1ms service=30001ms status=503 bytes=0 protocol=https',
    );
  });
  it('leaves the dyno fields empty when no dyno was tried, and logs maintenance at info', () => {
    expect(formatRouterLine({ ...base, code: 'H80', status: 503 })).toBe(
      'at=info code=H80 desc="Maintenance mode" method=GET path="/" host=myapp.dynokube.localhost request_id=f9ed4675-f4f2-4b3c-9b2f-7a9d0a2e4e4a fwd="203.0.113.7" dyno= connect= service= status=503 bytes= protocol=https',
    );
  });
  it('cannot be split or forged by what a client sends', () => {
    const line = formatRouterLine({ ...base, path: '/a"b\\c\n at=info', host: 'evil host', fwd: '1.2.3.4" dyno=web.9', status: 200 });
    expect(line).toContain('path="/a\\"b\\\\c\\x0a at=info"');
    expect(line).toContain('host=evil?host');
    expect(line).toContain('fwd="1.2.3.4\\" dyno=web.9"');
    expect(line).not.toContain('\n');
  });
});
