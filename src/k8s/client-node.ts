// client-node's KubeConfig alone, for the import() that loads it only when needed: an import() of
// the package itself would keep all of its generated API in the bundle's chunk (14 MB, not 1.7).
export { KubeConfig } from '@kubernetes/client-node';
