import type { Logger } from './log.ts';
import type { Upstream } from './upstream.ts';

interface ResourceRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/**
 * Whether these rules let the holder read secrets other than `allowedName`.
 * kube-gateway's own manifests bind its service account to a cluster reader
 * that can read every secret; Gatepass's gateway needs only the public key.
 */
export function readsOtherSecrets(rules: readonly ResourceRule[], allowedName: string): boolean {
  return rules.some((rule) => {
    const core = (rule.apiGroups ?? []).some((g) => g === '' || g === '*');
    const secrets = (rule.resources ?? []).some((r) => r === 'secrets' || r === '*');
    const reads = (rule.verbs ?? []).some((v) => v === 'get' || v === 'list' || v === 'watch' || v === '*');
    const names = rule.resourceNames ?? [];
    return core && secrets && reads && (names.length === 0 || names.some((n) => n !== allowedName));
  });
}

/** At start-up: a warning when the service account can read secrets beyond the public key (SelfSubjectRulesReview). */
export async function warnAboutBroadAccess(upstream: Upstream, options: { namespace: string; publicKeySecret: string }, log: Logger): Promise<boolean> {
  const namespaces = [options.namespace, 'default'];
  try {
    for (const namespace of namespaces) {
      const answer = await upstream.call({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
      });
      if (answer.status !== 201 && answer.status !== 200) continue;
      const rules = (JSON.parse(answer.body) as { status?: { resourceRules?: ResourceRule[] } }).status?.resourceRules ?? [];
      if (readsOtherSecrets(rules, options.publicKeySecret)) {
        log.warn(
          { namespace },
          "the gateway's service account can read secrets other than the public key: remove kube-gateway's kube-gateway-cluster-reader binding (see docs/operator-guide.md)",
        );
        return true;
      }
    }
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'could not review the service account permissions');
  }
  return false;
}
