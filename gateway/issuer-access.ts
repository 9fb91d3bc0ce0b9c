// What a token asked of /auth/jwt/request would let its holder do, as the
// Kubernetes access questions to put to the caller first: a token must never
// lend more than its issuer holds. Only what can be asked exactly is signed —
// one VM's subresources by exact path — because a pattern ending in `*` or `+`
// reaches VMs no single question names.

import { KUBEVIRT_SUBRESOURCES_GROUP, type AccessQuestion } from '../shared/access-review.ts';
import { VNC_API_VERSIONS } from '../shared/kubevirt-paths.ts';
import { isDnsLabel } from '../shared/dns-label.ts';

export type IssuerQuestions = { ok: true; questions: AccessQuestion[] } | { ok: false; message: string };

/** The verb Kubernetes' authorizer sees for each HTTP method on a named object. */
const KUBERNETES_VERBS: Record<string, string> = { get: 'get', head: 'get', post: 'create', put: 'update', patch: 'patch', delete: 'delete' };

const VMI_SUBRESOURCE = /^\/apis\/subresources\.kubevirt\.io\/([^/]+)\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/([a-z]+(?:\/[a-z]+)?)$/;

const EXPECTED = '/apis/subresources.kubevirt.io/v1/namespaces/<namespace>/virtualmachineinstances/<vm>/<subresource>, e.g. …/vnc';

function questionsOf(url: string, verbs: readonly string[]): AccessQuestion[] | undefined {
  const m = VMI_SUBRESOURCE.exec(url);
  if (!m) return undefined;
  const [, version = '', namespace = '', name = '', subresource = ''] = m;
  if (!(VNC_API_VERSIONS as readonly string[]).includes(version) || !isDnsLabel(namespace) || !isDnsLabel(name)) return undefined;
  return verbs.map((verb) => ({ verb: KUBERNETES_VERBS[verb] ?? '', group: KUBEVIRT_SUBRESOURCES_GROUP, resource: 'virtualmachineinstances', subresource, namespace, name }));
}

/** One question per URL and verb, or why the request cannot be checked against the caller's permissions. */
export function issuerQuestions(urls: readonly string[], verbs: readonly string[]): IssuerQuestions {
  const unmapped = verbs.find((verb) => KUBERNETES_VERBS[verb] === undefined);
  if (unmapped !== undefined) {
    return { ok: false, message: `verb ${JSON.stringify(unmapped)} has no Kubernetes equivalent to check your permission against; use ${Object.keys(KUBERNETES_VERBS).join(', ')}` };
  }
  const questions: AccessQuestion[] = [];
  for (const [i, url] of urls.entries()) {
    const asked = questionsOf(url, verbs);
    if (asked === undefined) {
      return { ok: false, message: `URLs[${i}] ${JSON.stringify(url)} cannot be checked against your own permissions: only exact paths of one VM's subresources are signed here (${EXPECTED})` };
    }
    questions.push(...asked);
  }
  return { ok: true, questions };
}
