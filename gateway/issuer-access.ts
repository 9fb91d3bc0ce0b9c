// What a token asked of /auth/jwt/request would let its holder do, as the
// Kubernetes access questions to put to the caller first: a token must never
// lend more than its issuer holds.
//
// An exact path of one VM's subresource is one question about that VM. A
// kube-gateway prefix pattern (`…/namespaces/team-a/virtualmachineinstances/*`)
// reaches every VM the prefix leaves open, so it is asked about all of them at
// once: Kubernetes reads an empty name as "every object" and an empty namespace
// as "every namespace", which only a Role or ClusterRole granting exactly that
// answers yes to. The subresources asked about are those this gateway can open:
// in the subresources.kubevirt.io group its ClusterRole grants nothing else.
// Outside that group it can do other things (its Lease, its ConfigMaps, Events),
// so a pattern must name the group whole — `/apis*` is refused, as is a pattern
// that can reach none of the console subresources: nothing about it could be checked.

import { KUBEVIRT_SUBRESOURCES_GROUP, type AccessQuestion } from '../shared/access-review.ts';
import { VNC_API_VERSIONS } from '../shared/kubevirt-paths.ts';
import { isDnsLabel } from '../shared/dns-label.ts';

export type IssuerQuestions = { ok: true; questions: AccessQuestion[] } | { ok: false; message: string };

/** The verb Kubernetes' authorizer sees for each HTTP method on a named object. */
const KUBERNETES_VERBS: Record<string, string> = { get: 'get', head: 'get', post: 'create', put: 'update', patch: 'patch', delete: 'delete' };

/** The VMI subresources the gateway's ClusterRole (deploy/base/rbac-gateway.yaml) lets a link open. */
const GATEWAY_SUBRESOURCES = ['vnc', 'vnc/screenshot', 'console'] as const;

const EXPECTED = '/apis/subresources.kubevirt.io/v1/namespaces/<namespace>/virtualmachineinstances/<vm>/<subresource>, or a prefix of it ending in *';

/** What one URL reaches: a namespace and a name ('' = every one), and the subresources. */
interface Reach {
  namespace: string;
  name: string;
  subresources: string[];
}

type Slot = { literal: string } | { oneOf: readonly string[] } | { label: 'namespace' | 'name' };
const TEMPLATE: Slot[] = [
  { literal: 'apis' },
  { literal: KUBEVIRT_SUBRESOURCES_GROUP },
  { oneOf: VNC_API_VERSIONS },
  { literal: 'namespaces' },
  { label: 'namespace' },
  { literal: 'virtualmachineinstances' },
  { label: 'name' },
];

/** Whether a whole segment (or, when `partial`, the start of one) fits the slot. */
function fits(slot: Slot, segment: string, partial: boolean): boolean {
  const accepts = (value: string) => (partial ? value.startsWith(segment) : value === segment);
  if ('literal' in slot) return accepts(slot.literal);
  if ('oneOf' in slot) return slot.oneOf.some(accepts);
  return partial || isDnsLabel(segment);
}

function reachOf(url: string): Reach | undefined {
  const isPrefix = url.endsWith('*');
  const segments = (isPrefix ? url.slice(0, -1) : url).split('/');
  if (segments.shift() !== '') return undefined;
  // With a prefix, the last segment may be cut short; every one before it is whole.
  const partial = isPrefix ? segments.pop()! : undefined;
  const reach: Reach = { namespace: '', name: '', subresources: [] };
  const head = segments.slice(0, TEMPLATE.length);
  for (const [i, segment] of head.entries()) {
    const slot = TEMPLATE[i]!;
    if (!fits(slot, segment, false)) return undefined;
    if ('label' in slot) reach[slot.label] = segment;
  }
  if (head.length < TEMPLATE.length) {
    const staysInGroup = head.length >= 2;
    if (partial === undefined || !staysInGroup || !fits(TEMPLATE[head.length]!, partial, true)) return undefined;
    return { ...reach, subresources: [...GATEWAY_SUBRESOURCES] };
  }
  const sub = segments.slice(TEMPLATE.length).join('/');
  reach.subresources = GATEWAY_SUBRESOURCES.filter((s) => {
    if (partial === undefined) return s === sub;
    const written = sub === '' ? partial : `${sub}/${partial}`;
    return s.startsWith(written);
  });
  return reach.subresources.length > 0 ? reach : undefined;
}

/** The questions for each URL and verb, or why the request cannot be checked against the caller's permissions. */
export function issuerQuestions(urls: readonly string[], verbs: readonly string[]): IssuerQuestions {
  const unmapped = verbs.find((verb) => KUBERNETES_VERBS[verb] === undefined);
  if (unmapped !== undefined) {
    return { ok: false, message: `verb ${JSON.stringify(unmapped)} has no Kubernetes equivalent to check your permission against; use ${Object.keys(KUBERNETES_VERBS).join(', ')}` };
  }
  const questions: AccessQuestion[] = [];
  for (const [i, url] of urls.entries()) {
    const reach = reachOf(url);
    if (reach === undefined) {
      return { ok: false, message: `URLs[${i}] ${JSON.stringify(url)} cannot be checked against your own permissions: only paths (or * prefixes) of VM console subresources are signed here (${EXPECTED})` };
    }
    for (const subresource of reach.subresources) {
      for (const verb of verbs) {
        questions.push({ verb: KUBERNETES_VERBS[verb]!, group: KUBEVIRT_SUBRESOURCES_GROUP, resource: 'virtualmachineinstances', subresource, namespace: reach.namespace, name: reach.name });
      }
    }
  }
  return { ok: true, questions };
}
