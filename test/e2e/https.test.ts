// HTTPS through the Ingress on the real node, with a certificate issued here (cert-manager does
// not build from Go modules here: see the README): an app's custom domain answers curl --cacert
// with the app's own certificate (kubectl dyno certs:add), its default domain keeps answering
// HTTP, and the chart's helm test finds the operator, the receiver and the registry answering.
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/api/app.js';
import { Resources } from '../../src/k8s/resources.js';
import { exec } from '../../hack/exec.js';
import { RUN_IMAGE } from '../../hack/stack/run-image.js';
import { CLI } from '../support/cli.js';
import { eventually } from '../support/operator.js';
import { SYSTEM_NAMESPACE, viaIngress } from '../support/real-stack.js';
import { useRealStack } from '../support/use-real-stack.js';

const stack = useRealStack('https');
const APP = 'tls-app';
const DOMAIN = 'www.tls-app.test';
// A web dyno from the stack's run image alone: busybox's httpd, no build.
const WEB = 'mkdir -p /tmp/www && echo hello over https > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www';

/** A CA, and a certificate it signs for the domain. */
async function issue(dir: string): Promise<void> {
  const openssl = async (...args: string[]) => {
    const r = await exec('openssl', args, { cwd: dir });
    if (r.code !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=dynokube e2e CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'app.key', '-out', 'app.csr', '-subj', `/CN=${DOMAIN}`);
  await writeFile(join(dir, 'ext'), `subjectAltName=DNS:${DOMAIN}\nextendedKeyUsage=serverAuth\n`);
  await openssl('x509', '-req', '-in', 'app.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext', '-out', 'app.crt');
}

describe('HTTPS through the Ingress', () => {
  it('serves a custom domain with the app\'s own certificate: curl --cacert answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynokube-https-'));
    await issue(dir);
    const image = `${stack.registry}/${RUN_IMAGE}`;
    await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: APP, namespace: stack.namespace }, spec: { image, processTypes: { web: WEB }, domains: [DOMAIN] } } as never);
    const env = { ...process.env, KUBECONFIG: stack.kubeconfig, NO_COLOR: '1' };
    const add = await exec(CLI, ['certs:add', join(dir, 'app.crt'), join(dir, 'app.key'), '-a', APP, '-n', stack.namespace], { env });
    expect(add.stderr).toContain(`Adding SSL certificate to ⬢ ${APP}... done`);
    await eventually('the app answering', async () => (await viaIngress(stack, APP)).body.includes('hello over https'), 180_000);

    const curl = await eventually('an HTTPS answer', async () => {
      const r = await exec('curl', ['-sS', '--max-time', '10', '--cacert', join(dir, 'ca.crt'), '--resolve', `${DOMAIN}:${stack.httpsPort}:127.0.0.1`, `https://${DOMAIN}:${stack.httpsPort}/`]);
      return r.code === 0 && r;
    }, 60_000);
    expect(curl.stdout).toBe('hello over https\n');
    // Without the CA, curl refuses the certificate: it is the one issued here that answered.
    const untrusted = await exec('curl', ['-sS', '--max-time', '10', '--resolve', `${DOMAIN}:${stack.httpsPort}:127.0.0.1`, `https://${DOMAIN}:${stack.httpsPort}/`]);
    expect(untrusted.code).toBe(60);
    // The default domain has no certificate of this platform's: its URL stays http, and answers.
    expect((await stack.kube.get<App>(Resources.App, stack.namespace, APP)).status?.url).toBe(`http://${APP}.dynokube.localhost:${stack.httpPort}`);
    const certs = await exec(CLI, ['certs', '-a', APP, '-n', stack.namespace, '-o', 'json'], { env });
    expect(JSON.parse(certs.stdout)).toEqual([expect.objectContaining({ domains: [DOMAIN], source: 'own', names: [DOMAIN] })]);
  }, 300_000);
});

describe('helm test', () => {
  it('finds the operator, the receiver and the registry answering', async () => {
    const r = await exec(stack.helm, ['test', 'dynokube', '-n', SYSTEM_NAMESPACE, '--logs', '--timeout', '2m'], { env: { ...process.env, KUBECONFIG: stack.kubeconfig } });
    expect(r.stdout).toMatch(/Phase:\s+Succeeded/);
    expect(r.stdout).toContain('the operator answers at');
    expect(r.stdout).toContain('the receiver answers at');
    expect(r.stdout).toMatch(/the registry answers at http:\/\/[\d.:]+\/v2\/: 200/);
    expect(r.code).toBe(0);
  }, 180_000);
});
