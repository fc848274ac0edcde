// The local Ingress controller as a pod, for kind clusters made here (ingress-nginx does not build
// here): it serves the dynokube-local class on 8080 and 8443, which hack/ingress/deploy.yaml
// publishes as the node's ports 80 and 443.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Kube } from '../../src/k8s/rest.js';
import { LocalIngress } from './proxy.js';

const kc = new KubeConfig();
kc.loadFromDefault();
const log = pino({ name: 'dynokube-local-ingress', timestamp: pino.stdTimeFunctions.isoTime });
const ingress = new LocalIngress(new Kube(kc, 'dynokube-local-ingress'), log);
await ingress.start(8080, '0.0.0.0', 8443);
log.info('serving the dynokube-local IngressClass on 8080 and 8443');
process.once('SIGTERM', () => void ingress.stop().then(() => process.exit(0)));
