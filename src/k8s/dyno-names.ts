// Dynos named as on Heroku: each running dyno of a type holds a number 1..N (web.1, web.2),
// unique among the running dynos of its type's current pod template, and the lowest free number
// is reused when one is replaced. The operator's admission webhook gives each new dyno pod its
// number as it is created: a label (read by kubectl dyno), and a host name `<type>-<N>` from which
// the dyno's $DYNO is made and which the web Service's EndpointSlices carry to the router.

/** The dyno's name, `web.1`, on its pod. */
export const LABEL_DYNO = 'dynokube.dev/dyno';
/** The ReplicaSet controller's label: which pod template a pod was made from. */
export const LABEL_TEMPLATE_HASH = 'pod-template-hash';
/** ReplicaSets remove pods of lower cost first: scaling down removes the highest numbers. */
export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** The host name a numbered dyno gets: `web-1` (a DNS label, as process types are). */
export const dynoHostname = (type: string, n: number): string => `${type}-${n}`;

/**
 * The dyno's name from its host name and process type, as its $DYNO is made in the pod: the
 * part after the last dash, so `web-1` is web.1, and a pod that got no number (its host name is
 * its pod name, `shop-web-7d9f-x2x8q`) is web.x2x8q.
 */
export function dynoName(type: string, hostname: string): string {
  return `${type}.${hostname.slice(hostname.lastIndexOf('-') + 1)}`;
}

/** The lowest number from 1 up that none of `held` is. */
export function lowestFreeNumber(held: Iterable<number>): number {
  const taken = new Set(held);
  let n = 1;
  while (taken.has(n)) n++;
  return n;
}

/** The number in a dyno name (`web.3` → 3), or undefined for an unnumbered one. */
export function dynoNumber(name: string | undefined): number | undefined {
  const m = /\.([1-9]\d*)$/.exec(name ?? '');
  return m ? Number(m[1]) : undefined;
}
