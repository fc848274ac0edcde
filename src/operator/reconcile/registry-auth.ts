// The platform's registry credentials, where builds push and dynos pull from each app's namespace:
// the chart's generated Secret (in the operator's namespace) copied as a docker config Secret
// under the name builds and dynos use (DYNOKUBE_IMAGE_PULL_SECRET). Pods can only name Secrets
// of their own namespace, so the copy is how they get them. Read at most every half minute.
import type { Secret } from '../../k8s/types.js';
import { LABEL_ROLE, MANAGED_BY, MANAGER } from '../../k8s/labels.js';
import { Resources } from '../../k8s/resources.js';
import type { Ctx } from '../context.js';

const FRESH_MS = 30_000;
let source: { at: number; config?: string } = { at: 0 };

export async function shareRegistryAuth(ctx: Ctx, namespace: string): Promise<void> {
  const from = ctx.settings.registryAuthSource;
  const name = ctx.settings.imagePullSecret;
  if (!from || !name || namespace === from.namespace) return;
  if (Date.now() - source.at > FRESH_MS) {
    const secret = await ctx.kube.find<Secret>(Resources.Secret, from.namespace, from.name);
    source = { at: Date.now(), ...(secret?.data?.['.dockerconfigjson'] ? { config: secret.data['.dockerconfigjson'] } : {}) };
  }
  if (!source.config) throw new Error(`the registry's credentials ${from.namespace}/${from.name} have no .dockerconfigjson yet`);
  // The namespace's Secrets informer holds it (role registry): nothing to write while it matches.
  if (ctx.world.secrets.get(namespace, name)?.data?.['.dockerconfigjson'] === source.config) return;
  // Shared by the namespace's apps, so owned by none of them.
  await ctx.applier.ensure(Resources.Secret, {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson',
    metadata: { name, namespace, labels: { [MANAGED_BY]: MANAGER, [LABEL_ROLE]: 'registry', 'app.kubernetes.io/part-of': 'dynokube' } },
    data: { '.dockerconfigjson': source.config },
  } as Secret, undefined);
}
