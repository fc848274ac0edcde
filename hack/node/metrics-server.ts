// The real node's metrics API: metrics-server as a host process of the local cluster, like
// CoreDNS, registered with the API server's aggregation layer through a Service whose one
// endpoint is the node's address. It reads the kubelet's /metrics/resource, so kubectl top and
// the dashboard's memory and CPU per dyno work here as on a cluster that runs it as a pod.
import { REAL_NODE_IP, REAL_NODE_NAME } from '../cluster/pki.js';

export function metricsServerArgs(o: { kubeconfig: string; port: number; certDir: string }): string[] {
  return [
    `--kubeconfig=${o.kubeconfig}`, `--authentication-kubeconfig=${o.kubeconfig}`, `--authorization-kubeconfig=${o.kubeconfig}`,
    `--bind-address=${REAL_NODE_IP}`, `--secure-port=${o.port}`, `--cert-dir=${o.certDir}`,
    // The kubelet serves with the local CA's certificate on its own port; kwok's fake node has no metrics.
    '--kubelet-insecure-tls', '--kubelet-use-node-status-port', '--kubelet-preferred-address-types=InternalIP',
    `--node-selector=kubernetes.io/hostname=${REAL_NODE_NAME}`, '--metric-resolution=15s', '--v=1',
  ];
}

/** The Service (no selector), its one endpoint and the APIService for metrics.k8s.io. */
export function metricsApiManifests(port: number): string {
  return `apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec: {ports: [{name: https, port: 443, targetPort: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: metrics-server-node, namespace: kube-system, labels: {kubernetes.io/service-name: metrics-server}}
addressType: IPv4
endpoints: [{addresses: ["${REAL_NODE_IP}"], conditions: {ready: true}}]
ports: [{name: https, port: ${port}, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec: {service: {name: metrics-server, namespace: kube-system, port: 443}, group: metrics.k8s.io, version: v1beta1, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100}
`;
}
