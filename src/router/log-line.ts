// One line per request in Heroku's router format, fields in Heroku's order:
//   at=info method=GET path="/" host=myapp.example.com request_id=… fwd="1.2.3.4" dyno=web.1
//   connect=0ms service=12ms status=200 bytes=1523 protocol=https
// A request held while its app woke from sleep says so after the dyno: `dyno=web.1 wait=1840ms`.
// and `at=error code=H12 desc="Request timeout"` first on errors. Fields the router never got to
// (no dyno was tried) stay empty, as Heroku leaves them: `dyno= connect= service=`.
import { CODES, type Code } from './codes.js';

export interface RouterLine {
  code?: Code;
  method: string;
  path: string;
  host: string;
  requestId: string;
  fwd: string;
  dyno?: string;
  /** Time the request was held while the app woke. */
  waitMs?: number;
  connectMs?: number;
  serviceMs?: number;
  status: number;
  bytes?: number;
  protocol: string;
}

/** Quoted, with what could break the line or the quoting escaped (paths come from clients). */
const quote = (s: string) => `"${s.replace(/[\\"]/g, '\\$&').replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
/** Unquoted values (host, method, request id) keep only what cannot split a key=value pair. */
const bare = (s: string) => s.replace(/[^\x21-\x7e]|"/g, '?');
const ms = (n: number | undefined) => (n === undefined ? '' : `${Math.round(n)}ms`);

export function formatRouterLine(l: RouterLine): string {
  const info = l.code ? CODES[l.code] : undefined;
  const head = info ? `at=${info.at} code=${l.code} desc=${quote(info.desc)}` : 'at=info';
  return `${head} method=${bare(l.method)} path=${quote(l.path)} host=${bare(l.host)} request_id=${bare(l.requestId)} fwd=${quote(l.fwd)} ` +
    `dyno=${l.dyno ?? ''}${l.waitMs !== undefined ? ` wait=${ms(l.waitMs)}` : ''} connect=${ms(l.connectMs)} service=${ms(l.serviceMs)} status=${l.status} bytes=${l.bytes ?? ''} protocol=${bare(l.protocol)}`;
}
