// The HOST:PORT flags of dynokube's servers (operator, router, dashboard), parsed alike.

/** `value` as [host, port]; an empty host means every interface. Throws naming `flag`. */
export function hostPort(value: string, flag: string): [string, number] {
  const i = value.lastIndexOf(':');
  const port = Number(value.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag} must be HOST:PORT, got ${JSON.stringify(value)}`);
  return [value.slice(0, i) || '0.0.0.0', port];
}
