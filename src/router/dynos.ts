// An app's web dynos as its Service's EndpointSlices show them: address, port, the dyno's name
// (from the host name the operator gave it: web-1 is web.1), and whether it takes requests. Each
// dyno keeps its own pool of keep-alive connections across updates of the slices.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { Pool as ConnectionPool } from 'undici';
import { dynoName } from '../k8s/dyno-names.js';
import type { Obj } from '../k8s/types.js';
import type { DynoStats } from './metrics.js';

export type EndpointSlice = Obj<V1EndpointSlice>;

export interface Endpoint {
  address: string;
  port: number;
  name: string;
  ready: boolean;
  terminating: boolean;
}

/** The web Service's port, by the name the operator gives it. */
const WEB_PORT_NAME = 'http';

export function endpointsOf(slices: Iterable<EndpointSlice>): Endpoint[] {
  const out: Endpoint[] = [];
  for (const s of slices) {
    const port = (s.ports ?? []).find((p) => p.name === WEB_PORT_NAME)?.port ?? s.ports?.[0]?.port;
    if (!port) continue;
    for (const e of s.endpoints ?? []) {
      const address = e.addresses[0];
      const host = e.hostname ?? e.targetRef?.name;
      if (!address || !host) continue;
      out.push({ address, port, name: dynoName('web', host), ready: e.conditions?.ready !== false, terminating: e.conditions?.terminating === true });
    }
  }
  return out;
}

export class Dyno {
  /** Its keep-alive connections, opened on its first request. */
  pool: ConnectionPool | undefined;
  inFlight = 0;
  /** Its metrics' series, looked up on its first request. */
  stats: DynoStats | undefined;

  constructor(readonly name: string, readonly address: string, readonly port: number) {}

  static key(e: Pick<Endpoint, 'address' | 'port' | 'name'>): string {
    return `${e.address}:${e.port}/${e.name}`;
  }
}

/** The dynos of one app that take requests, and how many exist that do not (those starting, by name). */
export class Pool {
  constructor(readonly ready: Dyno[], readonly notReady: number, readonly starting: Dyno[] = []) {}

  /**
   * The less busy of two dynos drawn at random ("power of two choices"): near the least loaded,
   * with no shared state between router replicas. `skip` are dynos already tried.
   */
  pick(skip?: Set<Dyno>): Dyno | undefined {
    const choices = skip?.size ? this.ready.filter((d) => !skip.has(d)) : this.ready;
    if (choices.length <= 1) return choices[0];
    const a = choices[Math.floor(Math.random() * choices.length)]!;
    const b = choices[Math.floor(Math.random() * choices.length)]!;
    return b.inFlight < a.inFlight ? b : a;
  }
}

export const EMPTY_POOL = new Pool([], 0);
