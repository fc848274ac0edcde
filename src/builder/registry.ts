// A client for the OCI distribution API, enough to build images without a Docker daemon: read a
// manifest and its config, check, mount and upload blobs, and put a manifest. Handles basic auth
// and the bearer-token challenge registries use.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string };
}

export interface Manifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  config?: { Env?: string[]; WorkingDir?: string; User?: string; Cmd?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
}

export class RegistryError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Splits `host[:port]/repo[:tag|@digest]`. */
export function parseReference(ref: string): { host: string; repository: string; reference: string } {
  const slash = ref.indexOf('/');
  if (slash < 0) throw new Error(`image reference ${ref} needs a registry host`);
  const host = ref.slice(0, slash);
  let rest = ref.slice(slash + 1);
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  return { host, repository: rest, reference };
}

export interface RegistryOptions {
  /** http for a registry on loopback or in the cluster without TLS; https otherwise. */
  insecure?: boolean;
  username?: string;
  password?: string;
}

export class Registry {
  private token: string | undefined;
  private readonly base: string;

  constructor(readonly host: string, private readonly opts: RegistryOptions = {}) {
    this.base = `${opts.insecure ? 'http' : 'https'}://${host}`;
  }

  private basic(): string | undefined {
    return this.opts.username ? `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64')}` : undefined;
  }

  /** Answers a bearer challenge by asking the realm for a token with the same credentials. */
  private async authenticate(challenge: string): Promise<boolean> {
    if (!challenge.startsWith('Bearer ')) return false;
    const params = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const basic = this.basic();
    const res = await fetch(url, { headers: basic ? { Authorization: basic } : {} });
    if (!res.ok) throw new RegistryError(res.status, `the registry's token service refused us (${res.status}): check the registry credentials`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    this.token = body.token ?? body.access_token;
    return Boolean(this.token);
  }

  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string | ReadableStream | null; okStatus?: number[] } = {}): Promise<Response> {
    const send = () => {
      const auth = this.token ? `Bearer ${this.token}` : this.basic();
      return fetch(`${this.base}${path}`, {
        method,
        headers: { ...(auth ? { Authorization: auth } : {}), ...init.headers },
        body: init.body ?? null,
        redirect: 'follow',
        ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    };
    let res = await send();
    if (res.status === 401 && !(init.body instanceof ReadableStream)) {
      const challenge = res.headers.get('www-authenticate') ?? '';
      if (await this.authenticate(challenge)) res = await send();
    }
    if (!(init.okStatus ?? [200]).includes(res.status)) {
      const text = await res.text().catch(() => '');
      throw new RegistryError(res.status, `${method} ${this.host}${path}: ${res.status} ${text.slice(0, 300)}`);
    }
    return res;
  }

  /** The image manifest for a reference, choosing linux/amd64 from an index. */
  async manifest(repository: string, reference: string): Promise<{ manifest: Manifest; digest: string }> {
    const accept = [MEDIA.ociManifest, MEDIA.dockerManifest, MEDIA.ociIndex, MEDIA.dockerList].join(', ');
    const res = await this.request('GET', `/v2/${repository}/manifests/${reference}`, { headers: { Accept: accept } });
    const digest = res.headers.get('docker-content-digest') ?? reference;
    const body = (await res.json()) as Manifest & { manifests?: Descriptor[] };
    if (body.manifests) {
      const pick = body.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? body.manifests[0];
      if (!pick) throw new Error(`${repository}:${reference} is an empty image index`);
      return this.manifest(repository, pick.digest);
    }
    return { manifest: body, digest };
  }

  async blob(repository: string, digest: string): Promise<Response> {
    return this.request('GET', `/v2/${repository}/blobs/${digest}`);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { okStatus: [200, 404] });
    return res.status === 200;
  }

  /** Makes a blob of another repository in this registry available in `repository` without copying it. */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const res = await this.request('POST', `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, { okStatus: [201, 202] });
    if (res.status === 201) return true;
    // 202: the registry started an upload instead; abandon it.
    const location = res.headers.get('location');
    if (location) await this.request('DELETE', this.relative(location), { okStatus: [204, 404, 405] }).catch(() => undefined);
    return false;
  }

  private relative(location: string): string {
    const u = new URL(location, this.base);
    return `${u.pathname}${u.search}`;
  }

  /** Uploads a blob (a buffer, or a file streamed from disk) unless the registry has it. */
  async putBlob(repository: string, digest: string, content: Buffer | { file: string }): Promise<void> {
    if (await this.hasBlob(repository, digest)) return;
    const start = await this.request('POST', `/v2/${repository}/blobs/uploads/`, { okStatus: [202] });
    const location = start.headers.get('location');
    if (!location) throw new Error(`the registry gave no upload location for ${repository}`);
    const url = this.relative(location);
    const sep = url.includes('?') ? '&' : '?';
    const size = Buffer.isBuffer(content) ? content.length : (await stat(content.file)).size;
    const body = Buffer.isBuffer(content) ? content : (Readable.toWeb(createReadStream(content.file)) as ReadableStream);
    await this.request('PUT', `${url}${sep}digest=${encodeURIComponent(digest)}`, {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      body,
      okStatus: [201],
    });
  }

  async putManifest(repository: string, reference: string, manifest: Manifest): Promise<string> {
    const res = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      headers: { 'Content-Type': manifest.mediaType },
      body: JSON.stringify(manifest),
      okStatus: [201],
    });
    const digest = res.headers.get('docker-content-digest');
    if (!digest) throw new Error('the registry did not say the manifest digest');
    return digest;
  }
}
