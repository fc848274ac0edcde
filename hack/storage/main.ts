// The local volume provisioner as a pod, for kind nodes made here (hack/kind/): claims of the
// class named by its first argument become directories under its second, a path of the node
// mounted at the same place in the pod (hack/kind/node/kind/manifests/default-storage.yaml).
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Kube } from '../../src/k8s/rest.js';
import { LocalStorage } from './provisioner.js';

const [className, root] = process.argv.slice(2);
if (!className || !root) throw new Error('usage: main.js STORAGE_CLASS DIRECTORY');
const kc = new KubeConfig();
kc.loadFromDefault();
const log = pino({ name: 'dynokube-local-storage', timestamp: pino.stdTimeFunctions.isoTime });
const storage = new LocalStorage(new Kube(kc, 'dynokube-local-storage'), root, log, className);
await storage.start();
log.info({ className, root }, 'provisioning claims');
process.once('SIGTERM', () => void storage.stop().then(() => process.exit(0)));
