// Push credentials from a docker config.json (a kubernetes.io/dockerconfigjson Secret), as ECR,
// GCR/Artifact Registry and ACR hand them out: the auths entry for the registry's host, keyed by
// the host, a URL of it, or the host with a path.
export interface Credentials { username: string; password: string }

interface DockerConfig { auths?: Record<string, { auth?: string; username?: string; password?: string }> }

const hostOf = (key: string): string => key.replace(/^https?:\/\//, '').split('/')[0]!;

export function credentialsFor(configJson: string, host: string): Credentials | undefined {
  let config: DockerConfig;
  try {
    config = JSON.parse(configJson) as DockerConfig;
  } catch {
    throw new Error('the registry credentials\' .dockerconfigjson is not JSON');
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => hostOf(key) === host)?.[1];
  if (!entry) return undefined;
  if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
