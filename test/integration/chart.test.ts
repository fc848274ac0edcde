// The Helm chart: it lints, renders manifests the API server accepts, installs, upgrades and
// uninstalls; its RBAC is enough for the operator and the receiver to do their work, and no more.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { exec } from '../../hack/exec.js';
import { BuildRunner } from '../../hack/local-builds.js';
import { freePorts } from '../../hack/cluster/processes.js';
import type { App } from '../../src/api/app.js';
import type { Build } from '../../src/api/build.js';
import type { Release } from '../../src/api/release.js';
import { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import { Controller } from '../../src/operator/controller.js';
import { Metrics } from '../../src/operator/metrics.js';
import { DEFAULT_SETTINGS } from '../../src/operator/settings.js';
import { createReceiver, listen, type Receiver } from '../../src/receiver/server.js';
import { kubeConfig, kubeconfigPath, kubectl, registryHost, useNamespace } from '../support/cluster.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually, kube } from '../support/operator.js';

const CHART = join(import.meta.dirname, '..', '..', 'charts', 'dynokube');
const system = useNamespace('chart-sys');
const apps = useNamespace('chart-apps');
const other = useNamespace('chart-other');

function helm(args: string[]) {
  return exec(process.env.DYNOKUBE_HELM!, args, { env: { ...process.env, KUBECONFIG: kubeconfigPath(), HELM_CACHE_HOME: join(tmpdir(), 'dynokube-helm-cache'), HELM_CONFIG_HOME: join(tmpdir(), 'dynokube-helm-config') } });
}

const release = () => `dk-${system.name.slice(-6)}`;
/** Values for an install confined to the apps namespace, next to the shared test cluster's others. */
const scoped = () => ['--set', `watchNamespace=${apps.name}`, '--set', 'clusterInfo.enabled=false'];

describe('helm lint and template', () => {
  it('lints clean (--strict), and refuses values outside the schema', async () => {
    const lint = await helm(['lint', '--strict', CHART]);
    expect(lint.stdout).toContain('0 chart(s) failed');
    expect(lint.code).toBe(0);
    const bad = await helm(['template', 'x', CHART, '--set', 'operator.concurrency=0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("at '/operator/concurrency'");
    for (const [value, at] of [['externalRegistry.host=https://ghcr.io', '/externalRegistry/host'], ['tls.issuer=Certificate/x', '/tls/issuer']] as const) {
      expect((await helm(['template', 'x', CHART, '--set', value])).stderr).toContain(`at '${at}'`);
    }
  });

  it('takes what a parent chart and a platform engineer set', async () => {
    const t = await helm(['template', 'x', CHART, '--set', 'global.imageRegistry=mirror.example', '--set', 'externalRegistry.host=ghcr.io/acme',
      '--set', 'metrics.serviceMonitor.enabled=true', '--set-json', 'podSecurityContext={"runAsUser":null,"runAsGroup":null,"fsGroup":null}']);
    expect(t.stderr).toBe('');
    const docs = parseAllDocuments(t.stdout).map((d) => d.toJS() as Record<string, never>).filter(Boolean);
    expect(docs.find((d) => d.kind === 'ServiceMonitor')).toMatchObject({ spec: { endpoints: [{ port: 'metrics', path: '/metrics' }] } });
    const op = docs.find((d) => d.kind === 'Deployment' && (d as unknown as { metadata: { name: string } }).metadata.name.endsWith('-operator')) as unknown as { spec: { template: { spec: { securityContext: object; containers: { env: { name: string; value: string }[] }[] } } } };
    // OpenShift assigns the user: none is set when the values take it away.
    expect(op.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(op.spec.template.spec.containers[0]!.env.find((e) => e.name === 'DYNOKUBE_REGISTRY')?.value).toBe('ghcr.io/acme');
    // No bundled registry, so no credentials of its own: the only Secret is the webhook's certificate.
    expect(docs.filter((d) => d.kind === 'Secret').map((d) => (d as unknown as { metadata: { name: string } }).metadata.name)).toEqual(['x-dynokube-operator-webhook']);
  });

  it.each([
    ['default values', [] as string[]],
    ['a namespace-scoped install with an external registry and an exposed receiver', ['--set', 'watchNamespace=apps', '--set', 'externalRegistry.host=ghcr.io/acme', '--set', 'externalRegistry.pullSecret=pull', '--set', 'externalRegistry.credentialsSecret=push', '--set', 'receiver.ingress.enabled=true', '--set', 'receiver.ingress.host=git.example.com', '--set', 'ingressClassName=nginx', '--set-json', 'operator.sizes={"eco":{"memory":"256Mi","cpuRequest":"10m","cpuLimit":"100m"}}']],
    ['HTTPS through cert-manager, placement and identities for a cloud', ['--set', 'tls.enabled=true', '--set', 'tls.issuer=letsencrypt', '--set', 'urlHttpsPort=8443', '--set', 'receiver.ingress.enabled=true', '--set', 'receiver.ingress.host=git.example.com',
      '--set', 'receiver.ingress.tls.enabled=true', '--set-json', 'nodeSelector={"pool":"system"}', '--set-json', 'tolerations=[{"key":"system","operator":"Exists"}]',
      '--set-json', 'affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"pool","operator":"In","values":["system"]}]}]}}}',
      '--set-json', 'podAnnotations={"example.com/team":"platform"}', '--set-json', 'operator.serviceAccount.annotations={"eks.amazonaws.com/role-arn":"arn:aws:iam::1:role/dynokube"}']],
    ['the dashboard with its Ingress over HTTPS', ['--set', 'dashboard.enabled=true', '--set', 'dashboard.ingress.enabled=true', '--set', 'dashboard.ingress.host=dash.example.com', '--set', 'dashboard.ingress.tls=true']],
  ])('renders %s into manifests the API server accepts', async (_, values) => {
    const t = await helm(['template', 'dynokube', CHART, '-n', system.name, ...values]);
    expect(t.stderr).toBe('');
    const docs = parseAllDocuments(t.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } }).filter(Boolean);
    const kinds = docs.map((d) => d.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'ServiceAccount', 'Service', 'PersistentVolumeClaim']));
    // Validate against the real API server's schemas without creating anything.
    const dry = await kubectl(['apply', '--dry-run=server', '-f', '-'], t.stdout.replaceAll('namespace: apps', `namespace: ${apps.name}`));
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    // The chart's pods, the helm test's among them, pass the restricted standard.
    const pods = [...docs.filter((x) => x.kind === 'Deployment').map((d) => (d as unknown as { spec: { template: { spec: object } } }).spec.template.spec), ...docs.filter((x) => x.kind === 'Pod').map((p) => (p as unknown as { spec: object }).spec)];
    expect(pods.length).toBeGreaterThanOrEqual(3);
    for (const spec of pods) {
      const pod = spec as { securityContext: unknown; containers: { securityContext: unknown }[] };
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0]!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
  });
});

describe('the dashboard', () => {
  it('is off by default; on, its own ServiceAccount may only find the router\'s pods and read the metrics API', async () => {
    const off = await helm(['template', 'dynokube', CHART, '-n', system.name]);
    expect(off.stdout).not.toContain('dynokube-dashboard');
    const t = await helm(['template', 'dynokube', CHART, '-n', system.name, '--set', 'dashboard.enabled=true', '--set', 'dashboard.ingress.enabled=true', '--set', 'dashboard.ingress.tls=true']);
    type Doc = { kind: string; metadata: { name: string }; rules?: unknown[]; spec?: { template: { spec: { serviceAccountName: string; containers: { command: string[]; env: { name: string; value: string }[] }[] } } } };
    const docs = parseAllDocuments(t.stdout).map((d) => d.toJS() as Doc).filter((d) => d?.metadata?.name === 'dynokube-dashboard');
    expect(docs.map((d) => d.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Ingress', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    expect(docs.find((d) => d.kind === 'ClusterRole')!.rules).toEqual([{ apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['list'] }]);
    expect(docs.find((d) => d.kind === 'Role')!.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    const pod = docs.find((d) => d.kind === 'Deployment')!.spec!.template.spec;
    expect(pod.serviceAccountName).toBe('dynokube-dashboard');
    expect(pod.containers[0]!.command).toEqual(['node', '/opt/dynokube/dist/src/dashboard/main.js', '--listen=0.0.0.0:8080']);
    expect(pod.containers[0]!.env).toContainEqual({ name: 'DYNOKUBE_SECURE_COOKIES', value: 'true' });
  });
});

describe('the receiver\'s shutdown', () => {
  it.each([
    ['by default, as long as a push may take', [] as string[], 1800],
    ['as set', ['--set', 'receiver.drainSeconds=120'], 120],
  ])('drains %s, within the pod\'s grace period', async (_, values, drain) => {
    const t = await helm(['template', 'dynokube', CHART, '-n', system.name, ...values]);
    type Dep = { kind: string; metadata: { name: string }; spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: { args: string[] }[] } } } };
    const receiver = parseAllDocuments(t.stdout).map((d) => d.toJS() as Dep).find((d) => d?.kind === 'Deployment' && d.metadata.name.endsWith('-receiver'))!;
    const pod = receiver.spec.template.spec;
    expect(pod.containers[0]!.args).toContain(`--drain-seconds=${drain}`);
    expect(pod.terminationGracePeriodSeconds).toBe(drain + 30);
  });
});

describe('helm install and upgrade', () => {
  const registryPassword = async () => (await kubectl(['get', 'secret', `${release()}-dynokube-registry-auth`, '-n', system.name, '-o', 'jsonpath={.data.password}'])).stdout;

  it('installs (serving the CRDs) and upgrades with changed values', async () => {
    const install = await helm(['install', release(), CHART, '-n', system.name, ...scoped()]);
    expect(install.stderr).toBe('');
    expect(install.stdout).toContain('STATUS: deployed');
    expect(install.stdout).toContain('kubectl dyno apps:create myapp');
    expect((await kubectl(['get', 'crd', 'apps.dynokube.dev'])).code).toBe(0);
    const op = `${release()}-dynokube-operator`;
    expect((await kubectl(['get', 'deployment', op, '-n', system.name])).code).toBe(0);
    const password = await registryPassword();
    expect(Buffer.from(password, 'base64').toString()).toMatch(/^[A-Za-z0-9]{40}$/);
    const webhookCa = () => kubectl(['get', 'secret', `${op}-webhook`, '-n', system.name, '-o', 'jsonpath={.data.ca\\.crt}']).then((r) => r.stdout);
    const ca = await webhookCa();
    expect(ca).not.toBe('');
    const upgrade = await helm(['upgrade', release(), CHART, '-n', system.name, ...scoped(), '--set', 'baseDomain=apps.example.com', '--set', 'operator.replicas=3']);
    expect(upgrade.code).toBe(0);
    const dep = JSON.parse((await kubectl(['get', 'deployment', op, '-n', system.name, '-o', 'json'])).stdout) as { spec: { replicas: number; template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
    expect(dep.spec.replicas).toBe(3);
    expect(dep.spec.template.spec.containers[0]!.env.find((e) => e.name === 'DYNOKUBE_BASE_DOMAIN')?.value).toBe('apps.example.com');
    // The registry's password was generated once: the upgrade kept it.
    expect(await registryPassword()).toBe(password);
    // The webhook's certificate is made once: an upgrade keeps it, so the API server keeps trusting it.
    expect(await webhookCa()).toBe(ca);
  });
});

describe('RBAC', () => {
  const can = async (who: string, ...args: string[]) => (await kubectl(['auth', 'can-i', `--as=system:serviceaccount:${system.name}:${release()}-dynokube-${who}`, ...args])).stdout.trim();

  it('lets the operator manage its kinds and children in the watched namespace, and nothing elsewhere', async () => {
    expect(await can('operator', 'create', 'deployments', '-n', apps.name)).toBe('yes');
    expect(await can('operator', 'patch', 'releases.dynokube.dev/status', '-n', apps.name)).toBe('yes');
    expect(await can('operator', 'create', 'secrets', '-n', apps.name)).toBe('yes');
    expect(await can('operator', 'get', 'secrets', '-n', other.name)).toBe('no');
    expect(await can('operator', 'create', 'deployments', '-n', other.name)).toBe('no');
    expect(await can('operator', 'get', 'secrets', '-n', 'kube-system')).toBe('no');
    expect(await can('operator', 'delete', 'secrets', '-n', apps.name)).toBe('no');
    expect(await can('operator', 'create', 'clusterroles')).toBe('no');
    expect(await can('operator', 'delete', 'namespaces')).toBe('no');
    expect(await can('operator', 'update', 'leases/dynokube-operator', '-n', system.name)).toBe('yes');
    expect(await can('operator', 'update', 'leases/kube-controller-manager', '-n', 'kube-system')).toBe('no');
    // The registry's credentials, to share with app namespaces: that Secret and no other of its namespace.
    expect(await can('operator', 'get', `secrets/${release()}-dynokube-registry-auth`, '-n', system.name)).toBe('yes');
    expect(await can('operator', 'get', 'secrets/other', '-n', system.name)).toBe('no');
  });

  it('gives Kubernetes\' own view, edit and admin roles the dynokube kinds', async () => {
    await kubectl(['create', 'serviceaccount', 'viewer', '-n', apps.name]);
    await kubectl(['create', 'rolebinding', 'viewer', '--clusterrole=view', `--serviceaccount=${apps.name}:viewer`, '-n', apps.name]);
    await kubectl(['create', 'serviceaccount', 'editor', '-n', apps.name]);
    await kubectl(['create', 'rolebinding', 'editor', '--clusterrole=edit', `--serviceaccount=${apps.name}:editor`, '-n', apps.name]);
    const user = (sa: string, ...args: string[]) => kubectl(['auth', 'can-i', `--as=system:serviceaccount:${apps.name}:${sa}`, '-n', apps.name, ...args]).then((r) => r.stdout.trim());
    await eventually('the aggregated rules', async () => (await user('editor', 'create', 'builds.dynokube.dev')) === 'yes');
    expect(await user('viewer', 'list', 'releases.dynokube.dev')).toBe('yes');
    expect(await user('viewer', 'create', 'builds.dynokube.dev')).toBe('no');
    expect(await user('editor', 'patch', 'formations.dynokube.dev')).toBe('yes');
  });

  it('lets the receiver review tokens and access, and create and read Builds: nothing else', async () => {
    expect(await can('receiver', 'create', 'tokenreviews')).toBe('yes');
    expect(await can('receiver', 'create', 'subjectaccessreviews')).toBe('yes');
    expect(await can('receiver', 'create', 'builds.dynokube.dev', '-n', apps.name)).toBe('yes');
    expect(await can('receiver', 'get', 'builds.dynokube.dev', '-n', apps.name)).toBe('yes');
    expect(await can('receiver', 'create', 'builds.dynokube.dev', '-n', other.name)).toBe('no');
    expect(await can('receiver', 'get', 'secrets', '-n', apps.name)).toBe('no');
    expect(await can('receiver', 'get', 'apps.dynokube.dev', '-n', apps.name)).toBe('no');
    expect(await can('receiver', 'create', 'deployments', '-n', apps.name)).toBe('no');
  });

  it('lets the router watch Apps and EndpointSlices in the watched namespace: nothing else, and no writes', async () => {
    expect(await can('router', 'watch', 'apps.dynokube.dev', '-n', apps.name)).toBe('yes');
    expect(await can('router', 'list', 'endpointslices.discovery.k8s.io', '-n', apps.name)).toBe('yes');
    expect(await can('router', 'list', 'endpointslices.discovery.k8s.io', '-n', other.name)).toBe('no');
    expect(await can('router', 'get', 'secrets', '-n', apps.name)).toBe('no');
    expect(await can('router', 'list', 'pods', '-n', apps.name)).toBe('no');
    expect(await can('router', 'patch', 'apps.dynokube.dev', '-n', apps.name)).toBe('no');
  });

  it('lets the operator find the router pods (their EndpointSlices in its own namespace only) and manage HPAs where it watches', async () => {
    expect(await can('operator', 'watch', 'endpointslices.discovery.k8s.io', '-n', system.name)).toBe('yes');
    expect(await can('operator', 'list', 'endpointslices.discovery.k8s.io', '-n', apps.name)).toBe('no');
    expect(await can('operator', 'create', 'horizontalpodautoscalers.autoscaling', '-n', apps.name)).toBe('yes');
    expect(await can('operator', 'create', 'horizontalpodautoscalers.autoscaling', '-n', other.name)).toBe('no');
  });

  it('lets the operator watch the pods it numbers, and registers its webhook for dyno pods of the watched namespace', async () => {
    expect(await can('operator', 'watch', 'pods', '-n', apps.name)).toBe('yes');
    expect(await can('operator', 'watch', 'pods', '-n', other.name)).toBe('no');
    const hook = JSON.parse((await kubectl(['get', 'mutatingwebhookconfiguration', `${system.name}-${release()}-dynokube-operator-webhook`, '-o', 'json'])).stdout) as { webhooks: { failurePolicy: string; namespaceSelector: unknown; objectSelector: unknown; clientConfig: { caBundle: string } }[] };
    expect(hook.webhooks[0]).toMatchObject({ failurePolicy: 'Ignore', namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': apps.name } }, objectSelector: { matchLabels: { 'dynokube.dev/role': 'dyno' } } });
    expect(Buffer.from(hook.webhooks[0]!.clientConfig.caBundle, 'base64').toString()).toContain('BEGIN CERTIFICATE');
  });
});

/** A kubeconfig that signs in as a ServiceAccount of the chart's namespace, with a real token. */
async function token(sa: string): Promise<KubeConfig> {
  const t = (await kubectl(['create', 'token', sa, '-n', system.name, '--duration=1h'])).stdout.trim();
  const admin = kubeConfig().getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [admin], users: [{ name: sa, token: t }], contexts: [{ name: sa, cluster: admin.name, user: sa }], currentContext: sa });
  return kc;
}

describe('a cluster-wide install', () => {
  const wide = () => `dkw-${system.name.slice(-6)}`;
  const newNs = useNamespace('chart-new');
  const canWide = async (...args: string[]) => (await kubectl(['auth', 'can-i', `--as=system:serviceaccount:${system.name}:${wide()}-dynokube-operator`, ...args])).stdout.trim();

  it('manages apps everywhere but reads Secrets only in the namespaces granted, each by its own RoleBinding', async () => {
    const install = await helm(['install', wide(), CHART, '-n', system.name, '--set', 'clusterInfo.enabled=false', '--set', `appNamespaces={${apps.name}}`]);
    expect(install.stderr).toBe('');
    expect(await canWide('create', 'deployments', '-n', other.name)).toBe('yes');
    expect(await canWide('list', 'apps.dynokube.dev', '--all-namespaces')).toBe('yes');
    expect(await canWide('get', 'secrets', '-n', apps.name)).toBe('yes');
    expect(await canWide('watch', 'secrets', '-n', apps.name)).toBe('yes');
    expect(await canWide('get', 'secrets', '-n', other.name)).toBe('no');
    expect(await canWide('get', 'secrets', '-n', 'kube-system')).toBe('no');
    expect(await canWide('list', 'secrets', '--all-namespaces')).toBe('no');
    expect(await canWide('create', 'rolebindings', '-n', other.name)).toBe('no');
  });

  it('is granted a new namespace by that namespace\'s admin, with the command its apps are told', async () => {
    expect(await canWide('get', 'secrets', '-n', newNs.name)).toBe('no');
    // The operator, signed in as the chart's ServiceAccount, on an app in a namespace not granted yet.
    const sa = `${system.name}:${wide()}-dynokube-operator`;
    const role = `${wide()}-dynokube-operator-secrets`;
    const controller = new Controller(new Kube(await token(`${wide()}-dynokube-operator`), 'dynokube'),
      { ...DEFAULT_SETTINGS, namespace: newNs.name, baseDomain: 'apps.test', secretsGrant: { clusterRole: role, serviceAccount: sa } }, pino({ level: 'silent' }), new Metrics());
    await controller.start();
    const k = kube();
    await kubectl(['apply', '-n', newNs.name, '-f', '-'], `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: fresh}\nspec: {image: "registry.local/x@sha256:${'9'.repeat(64)}", processTypes: {web: ./web}}\n`);
    const synced = (a: App | undefined) => a?.status?.conditions?.find((c) => c.type === 'Synced');
    const notEnabled = await eventually('NamespaceNotEnabled', async () => {
      const a = await k.find<App>(Resources.App, newNs.name, 'fresh');
      return synced(a)?.reason === 'NamespaceNotEnabled' && synced(a);
    });
    expect(notEnabled.message).toContain(`kubectl create rolebinding dynokube -n ${newNs.name} --clusterrole=${role} --serviceaccount=${sa}`);
    // A push meanwhile (the Build the receiver makes) is refused at once with the same words, not left waiting.
    await kubectl(['apply', '-n', newNs.name, '-f', '-'], `apiVersion: dynokube.dev/v1alpha1\nkind: Build\nmetadata: {name: fresh-push}\nspec: {app: fresh, source: {commit: "${'a'.repeat(40)}"}}\n`);
    const refusedPush = await eventually('the push refused', async () => {
      const b = await k.find<Build>(Resources.Build, newNs.name, 'fresh-push');
      return b?.status?.phase === 'Failed' && b;
    });
    expect(refusedPush.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'NamespaceNotEnabled', message: notEnabled.message });
    await kubectl(['create', 'serviceaccount', 'owner', '-n', newNs.name]);
    await kubectl(['create', 'rolebinding', 'owner', '--clusterrole=admin', `--serviceaccount=${newNs.name}:owner`, '-n', newNs.name]);
    // What apps:create in a new namespace needs: an admin there binds the operator's Secrets role (no cluster rights needed).
    const grant = await kubectl(['create', 'rolebinding', 'dynokube', '-n', newNs.name, `--clusterrole=${wide()}-dynokube-operator-secrets`,
      `--serviceaccount=${system.name}:${wide()}-dynokube-operator`, `--as=system:serviceaccount:${newNs.name}:owner`]);
    expect(grant.stderr).toBe('');
    expect(await canWide('get', 'secrets', '-n', newNs.name)).toBe('yes');
    await eventually('the app released once granted', async () => {
      const a = await k.find<App>(Resources.App, newNs.name, 'fresh');
      return synced(a)?.status === 'True' && a?.status?.currentRelease === 1;
    }, 60_000);
    await controller.stop();
    expect(await canWide('get', 'secrets', '-n', other.name)).toBe('no');
    // An editor (who may push apps) cannot grant it: that stays the namespace admin's decision.
    await kubectl(['create', 'serviceaccount', 'dev', '-n', other.name]);
    await kubectl(['create', 'rolebinding', 'dev', '--clusterrole=edit', `--serviceaccount=${other.name}:dev`, '-n', other.name]);
    const refused = await kubectl(['create', 'rolebinding', 'dynokube', '-n', other.name, `--clusterrole=${wide()}-dynokube-operator-secrets`,
      `--serviceaccount=${system.name}:${wide()}-dynokube-operator`, `--as=system:serviceaccount:${other.name}:dev`]);
    expect(refused.code).not.toBe(0);
    expect((await helm(['uninstall', wide(), '-n', system.name, '--wait'])).code).toBe(0);
  });
});

describe('the chart\'s identities are enough to do the work', () => {
  let controller: Controller | undefined;
  let receiver: Receiver | undefined;
  let server: Server | undefined;
  let runner: BuildRunner | undefined;
  let root = '';
  let port = 0;

  const as = (who: string) => token(`${release()}-dynokube-${who}`);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dynokube-chart-receiver-'));
    controller = new Controller(new Kube(await as('operator'), 'dynokube'),
      {
        ...DEFAULT_SETTINGS, namespace: apps.name, baseDomain: 'apps.test', registry: registryHost(), builderImage: 'dynokube/builder:test',
        // As the chart sets them for its registry: its credentials shared into the app namespace.
        imagePullSecret: `${release()}-dynokube-registry`, registryCredentialsSecret: `${release()}-dynokube-registry`,
        registryAuthSource: { namespace: system.name, name: `${release()}-dynokube-registry-auth` },
      }, pino({ level: 'silent' }), new Metrics());
    await controller.start();
    [port] = (await freePorts(1)) as [number];
    receiver = await createReceiver({ kube: new Kube(await as('receiver'), 'dynokube-receiver'), root, publicUrl: `http://127.0.0.1:${port}`, log: pino({ level: 'silent' }) });
    server = await listen(receiver.app, port, '127.0.0.1');
    runner = new BuildRunner(kube(), apps.name, join(root, 'pod-logs'));
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    server?.close();
    await receiver?.close();
    await controller?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('runs a git push, a config change and a release phase as the operator and receiver ServiceAccounts', async () => {
    const k = kube();
    await kubectl(['apply', '-n', apps.name, '-f', '-'], 'apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: rbac-app}\nspec: {}\n');
    await kubectl(['create', 'serviceaccount', 'dev', '-n', apps.name]);
    await kubectl(['create', 'rolebinding', 'dev', '--clusterrole=admin', `--serviceaccount=${apps.name}:dev`, '-n', apps.name]);
    const token = (await kubectl(['create', 'token', 'dev', '-n', apps.name])).stdout.trim();
    const repo = await repoFrom('release-phase');
    await repo.commit();
    const push = await runGit(['push', `http://git:${token}@127.0.0.1:${port}/${apps.name}/rbac-app.git`, 'HEAD:refs/heads/main'], repo.dir);
    expect(push.stderr).toContain('remote: -----> Released v1');
    expect(push.code).toBe(0);
    await k.mergePatch(Resources.Secret, apps.name, 'rbac-app-config', { stringData: { FLAG: 'on' } });
    const v2 = await eventually('v2 live', async () => {
      const r = await k.find<Release>(Resources.Release, apps.name, 'rbac-app-v2');
      return r?.status?.phase === 'Succeeded' && r;
    });
    expect(v2.spec.description).toBe('Set FLAG config var');
    const app = await eventually('rbac-app Ready', async () => {
      const a = await k.get<App>(Resources.App, apps.name, 'rbac-app');
      return a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && a;
    });
    expect(app.status?.currentRelease).toBe(2);
    // The registry's credentials reached the app namespace, for builds and dynos.
    const shared = JSON.parse((await kubectl(['get', 'secret', `${release()}-dynokube-registry`, '-n', apps.name, '-o', 'json'])).stdout) as { type: string; data: Record<string, string> };
    expect(shared.type).toBe('kubernetes.io/dockerconfigjson');
    expect(Object.keys((JSON.parse(Buffer.from(shared.data['.dockerconfigjson']!, 'base64').toString()) as { auths: object }).auths)).toEqual([`${release()}-dynokube-registry.${system.name}.svc.cluster.local:5000`]);
    // Nothing was refused along the way.
    const forbidden = await kubectl(['get', 'events', '-n', apps.name, '-o', 'jsonpath={.items[*].message}']);
    expect(forbidden.stdout).not.toContain('forbidden');
  });
});

describe('helm uninstall', () => {
  it('removes everything the release made, keeping the CRDs and so the users\' apps', async () => {
    const r = await helm(['uninstall', release(), '-n', system.name, '--wait']);
    expect(r.code).toBe(0);
    const left = await kubectl(['get', 'deployments,serviceaccounts,services,persistentvolumeclaims,roles,rolebindings', '-n', system.name, '-l', `app.kubernetes.io/instance=${release()}`, '-o', 'name']);
    expect(left.stdout).toBe('');
    const cluster = await kubectl(['get', 'clusterroles,clusterrolebindings', '-l', `app.kubernetes.io/instance=${release()}`, '-o', 'name']);
    expect(cluster.stdout).toBe('');
    expect((await kubectl(['get', 'crd', 'apps.dynokube.dev'])).code).toBe(0);
    expect((await kubectl(['get', 'app', 'rbac-app', '-n', apps.name])).code).toBe(0);
  });
});

describe('chart files', () => {
  it('keeps the CRDs in the chart\'s crds/ (installed before templates, never deleted by helm)', async () => {
    const t = await helm(['show', 'crds', CHART]);
    expect(parseAllDocuments(t.stdout).filter((d) => d.toJS()).map((d) => (d.toJS() as { metadata: { name: string } }).metadata.name).sort())
      .toEqual(['addonattachments.dynokube.dev', 'addons.dynokube.dev', 'apps.dynokube.dev', 'builds.dynokube.dev', 'formations.dynokube.dev', 'releases.dynokube.dev']);
  });
});
