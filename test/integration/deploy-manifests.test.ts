// deploy/ as `kubectl kustomize` renders it: every object valid against the Kubernetes
// schemas (kubernetes-models) or the CRD schemas kept in deploy/schemas, and the
// least-privilege and hardening rules asserted on the rendered output.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../shared/duration.ts';
import { parseCommandLine } from '../../gateway/config.ts';
import { kustomize, OVERLAYS, readExample, REPO_ROOT, type Overlay, type RenderedObject } from '../support/deploy-render.ts';

const rendered = {} as Record<Overlay, RenderedObject[]>;
beforeAll(async () => {
  for (const overlay of OVERLAYS) rendered[overlay] = await kustomize(`deploy/overlays/${overlay}`);
});

// --- validation against schemas -------------------------------------------------------

const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
const crdSchemas: Record<string, string> = {
  'route.openshift.io/v1 Route': 'route.openshift.io_v1_Route.json',
  'kubevirt.io/v1 VirtualMachine': 'kubevirt.io_v1_VirtualMachine.json',
};

/** The schema's complaints about `object`, or [] when it is valid. Throws for a kind without a schema. */
async function schemaErrors(object: RenderedObject): Promise<string[]> {
  const crd = crdSchemas[`${object.apiVersion} ${object.kind}`];
  if (crd) {
    const validate = ajv.getSchema(crd) ?? (ajv.addSchema(JSON.parse(readFileSync(`${REPO_ROOT}deploy/schemas/${crd}`, 'utf8')) as object, crd), ajv.getSchema(crd));
    if (!validate) throw new Error(`schema ${crd} did not compile`);
    return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  }
  const models = (await import(/* @vite-ignore */ `kubernetes-models/${object.apiVersion}`).catch(() => ({}))) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}: add it to kubernetes-models' coverage or deploy/schemas`);
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

const name = (o: RenderedObject): string => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

describe('schemas', () => {
  it.each(OVERLAYS)('every object of the %s overlay validates', async (overlay) => {
    expect(rendered[overlay].length).toBeGreaterThan(15);
    const problems: string[] = [];
    for (const object of rendered[overlay]) for (const error of await schemaErrors(object)) problems.push(`${name(object)}: ${error}`);
    expect(problems).toEqual([]);
  });

  it('the GateToken controller (deploy/gatetoken) renders and validates, with a hardened pod and no secret access beyond its key', async () => {
    const objects = await kustomize('deploy/gatetoken');
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['CustomResourceDefinition', 'Deployment', 'ServiceAccount']));
    const problems: string[] = [];
    for (const object of objects) for (const error of await schemaErrors(object)) problems.push(`${name(object)}: ${error}`);
    expect(problems).toEqual([]);
    const pod = (objects.find((o) => o.kind === 'Deployment')!['spec'] as { template: { spec: { securityContext?: { runAsNonRoot?: boolean }; containers: { securityContext?: { readOnlyRootFilesystem?: boolean } }[] } } }).template.spec;
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.containers.every((c) => c.securityContext?.readOnlyRootFilesystem === true)).toBe(true);
    const secretRules = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').flatMap((o) => (o['rules'] as { resources?: string[]; resourceNames?: string[] }[]) ?? []).filter((r) => r.resources?.includes('secrets'));
    expect(secretRules.every((r) => (r.resourceNames ?? []).length > 0)).toBe(true);
  });

  it.each(['virtual-machine.yaml', 'issuer-rolebinding.yaml'])('the example %s validates', async (file) => {
    const objects = readExample(file);
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(await schemaErrors(object)).toEqual([]);
  });

  it('the validators refuse broken objects (so passing means something)', async () => {
    const deployment = structuredClone(rendered.ingress.find((o) => o.kind === 'Deployment')!);
    (deployment['spec'] as { replicas: unknown }).replicas = 'two';
    expect(await schemaErrors(deployment)).not.toEqual([]);
    const route = structuredClone(rendered.openshift.find((o) => o.kind === 'Route')!);
    (route['spec'] as { tls: { termination: string } }).tls.termination = 'reencrypted';
    expect(await schemaErrors(route)).not.toEqual([]);
    const vm = structuredClone(readExample('virtual-machine.yaml')[0]!);
    (vm['spec'] as { runStrategy: string }).runStrategy = 'Sometimes';
    expect(await schemaErrors(vm)).not.toEqual([]);
  });
});

// --- policy ---------------------------------------------------------------------------

interface Rule { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[]; nonResourceURLs?: string[] }
interface Subject { kind: string; name: string; namespace?: string }
interface Container {
  name: string; image: string; args?: string[]; env?: { name: string; valueFrom?: { configMapKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number; scheme?: string } };
  livenessProbe?: { httpGet?: { path: string; port: string | number; scheme?: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[]; add?: string[] }; seccompProfile?: { type: string }; privileged?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string; automountServiceAccountToken?: boolean; terminationGracePeriodSeconds?: number; hostNetwork?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: { name: string; projected?: { sources: { serviceAccountToken?: { path: string; expirationSeconds?: number; audience?: string }; configMap?: { name: string } }[] }; secret?: { secretName: string } }[];
}

const ofKind = (objects: RenderedObject[], kind: string): RenderedObject[] => objects.filter((o) => o.kind === kind);
const one = (objects: RenderedObject[], kind: string, objectName?: string): RenderedObject => {
  const found = ofKind(objects, kind).filter((o) => objectName === undefined || o.metadata.name === objectName);
  if (found.length !== 1) throw new Error(`expected one ${kind}${objectName ? ` ${objectName}` : ''}, found ${found.length}`);
  return found[0]!;
};
const podSpec = (o: RenderedObject): PodSpec => (o['spec'] as { template: { spec: PodSpec } }).template.spec;
const rulesOf = (o: RenderedObject): Rule[] => (o['rules'] as Rule[] | undefined) ?? [];

/** Rules bound to a subject, from the rendered Roles, ClusterRoles and bindings, with where they apply. */
function rulesFor(objects: RenderedObject[], subject: Subject): { scope: string; rule: Rule }[] {
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
  return bindings.flatMap((binding) => {
    const subjects = (binding['subjects'] as Subject[] | undefined) ?? [];
    if (!subjects.some((s) => s.kind === subject.kind && s.name === subject.name && (s.namespace ?? undefined) === subject.namespace)) return [];
    const ref = binding['roleRef'] as { kind: string; name: string };
    const role = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (ref.kind === 'ClusterRole' || o.metadata.namespace === binding.metadata.namespace));
    if (!role) throw new Error(`${name(binding)} refers to a missing ${ref.kind} ${ref.name}`);
    const scope = binding.kind === 'ClusterRoleBinding' ? 'cluster' : `namespace ${binding.metadata.namespace ?? ''}`;
    return rulesOf(role).map((rule) => ({ scope, rule }));
  });
}

const normalise = (entries: { scope: string; rule: Rule }[]): string[] =>
  entries.flatMap(({ scope, rule }) =>
    (rule.apiGroups ?? []).flatMap((g) => (rule.resources ?? []).flatMap((r) => rule.verbs.flatMap((v) =>
      (rule.resourceNames?.length ? rule.resourceNames : ['(any)']).map((n) => `${scope} ${g || 'core'}/${r} ${n} ${v}`)))),
  ).sort();

const gatewaySa: Subject = { kind: 'ServiceAccount', name: 'kube-gateway-sa', namespace: 'kube-gateway' };
const keysSa: Subject = { kind: 'ServiceAccount', name: 'gatepass-keys', namespace: 'kube-gateway' };
const KEY_SECRETS = ['kube-gateway-jwt', 'kube-gateway-jwt-private', 'kube-gateway-jwt-next'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection', '*'];

/** The `--flag=value` arguments of a container, by flag (repeatable flags keep every value). */
function flags(container: Container): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const arg of container.args ?? []) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) continue;
    map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!]);
  }
  return map;
}

describe.each(OVERLAYS)('policy: %s overlay', (overlay) => {
  const objects = (): RenderedObject[] => rendered[overlay];
  const deployment = (): RenderedObject => one(objects(), 'Deployment', 'kube-gateway');
  const gateway = (): Container => podSpec(deployment()).containers[0]!;
  const gatewayUrl = (): string => (one(objects(), 'ConfigMap', 'gatepass')['data'] as { gatewayURL: string }).gatewayURL;

  it('puts every namespaced object in kube-gateway', () => {
    const cluster = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    expect(objects().filter((o) => !cluster.has(o.kind) && o.metadata.namespace !== 'kube-gateway').map(name)).toEqual([]);
  });

  it('grants no wildcard and no cluster-wide access to secrets in any role', () => {
    for (const role of [...ofKind(objects(), 'Role'), ...ofKind(objects(), 'ClusterRole')]) {
      for (const rule of rulesOf(role)) {
        expect([...(rule.verbs ?? []), ...(rule.resources ?? []), ...(rule.apiGroups ?? []), ...(rule.resourceNames ?? [])], name(role)).not.toContain('*');
        if (role.kind === 'ClusterRole') expect(rule.resources ?? [], name(role)).not.toContain('secrets');
      }
    }
    for (const binding of ofKind(objects(), 'ClusterRoleBinding')) {
      const role = one(objects(), 'ClusterRole', (binding['roleRef'] as { name: string }).name);
      expect(rulesOf(role).flatMap((r) => r.resources ?? []).filter((r) => r === 'secrets' || r === 'configmaps'), name(binding)).toEqual([]);
    }
  });

  it("grants the gateway's service account exactly what the gateway does", () => {
    expect(normalise(rulesFor(objects(), gatewaySa))).toEqual([
      'cluster core/events (any) create',
      'cluster core/events (any) patch',
      'cluster kubevirt.io/virtualmachineinstances (any) get',
      'cluster subresources.kubevirt.io/virtualmachineinstances/console (any) get',
      'cluster subresources.kubevirt.io/virtualmachineinstances/vnc (any) get',
      'cluster subresources.kubevirt.io/virtualmachineinstances/vnc/screenshot (any) get',
      'namespace kube-gateway coordination.k8s.io/leases (any) create',
      'namespace kube-gateway coordination.k8s.io/leases (any) delete',
      'namespace kube-gateway coordination.k8s.io/leases (any) get',
      'namespace kube-gateway coordination.k8s.io/leases (any) update',
      'namespace kube-gateway coordination.k8s.io/leases gatepass-janitor get',
      'namespace kube-gateway coordination.k8s.io/leases gatepass-janitor update',
      'namespace kube-gateway core/configmaps (any) create',
      'namespace kube-gateway core/configmaps (any) delete',
      'namespace kube-gateway core/configmaps (any) get',
      'namespace kube-gateway core/configmaps (any) list',
      'namespace kube-gateway core/configmaps (any) update',
      'namespace kube-gateway core/configmaps gatepass-revoked get',
      'namespace kube-gateway core/configmaps gatepass-revoked list',
      'namespace kube-gateway core/configmaps gatepass-revoked watch',
      'namespace kube-gateway core/secrets kube-gateway-jwt get',
      'namespace kube-gateway core/secrets kube-gateway-jwt list',
      'namespace kube-gateway core/secrets kube-gateway-jwt watch',
    ]);
  });

  it('lets only the key bootstrap account write key secrets', () => {
    const subjects = objects()
      .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .flatMap((b) => (b['subjects'] as Subject[]).map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) })));
    const writers = subjects.filter((s) =>
      rulesFor(objects(), s).some(({ rule }) => (rule.resources ?? []).includes('secrets') && rule.verbs.some((v) => WRITE.includes(v)) &&
        (!rule.resourceNames?.length || rule.resourceNames.some((n) => KEY_SECRETS.includes(n)))));
    expect(writers).toEqual([keysSa]);
    expect(normalise(rulesFor(objects(), keysSa)).filter((r) => r.includes('secrets'))).toEqual([
      'namespace kube-gateway core/secrets (any) create',
      'namespace kube-gateway core/secrets kube-gateway-jwt get',
      'namespace kube-gateway core/secrets kube-gateway-jwt update',
      'namespace kube-gateway core/secrets kube-gateway-jwt-next delete',
      'namespace kube-gateway core/secrets kube-gateway-jwt-next get',
      'namespace kube-gateway core/secrets kube-gateway-jwt-next update',
      'namespace kube-gateway core/secrets kube-gateway-jwt-private get',
      'namespace kube-gateway core/secrets kube-gateway-jwt-private update',
    ]);
  });

  it('offers issuers a Role to read the signing key and the gatepass ConfigMap, to revoke, and to find the gateway’s Route or Ingress', () => {
    expect(normalise(rulesOf(one(objects(), 'Role', 'gatepass-issuer')).map((rule) => ({ scope: 'issuer', rule })))).toEqual([
      'issuer core/configmaps gatepass get',
      'issuer core/configmaps gatepass-revoked get',
      'issuer core/configmaps gatepass-revoked patch',
      'issuer core/configmaps gatepass-revoked update',
      'issuer core/secrets kube-gateway-jwt-private get',
      'issuer networking.k8s.io/ingresses (any) list',
      'issuer route.openshift.io/routes (any) list',
    ]);
  });

  it('runs two hardened, resource-bounded gateway replicas with the projected token', () => {
    const spec = podSpec(deployment());
    expect((deployment()['spec'] as { replicas: number }).replicas).toBe(2);
    expect(spec.serviceAccountName).toBe('kube-gateway-sa');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    if (overlay === 'openshift') expect(spec.securityContext?.runAsUser).toBeUndefined();
    else expect(spec.securityContext?.runAsUser).toBe(1000);

    const projected = spec.volumes?.find((v) => v.projected)?.projected?.sources ?? [];
    expect(projected.find((s) => s.serviceAccountToken)?.serviceAccountToken).toEqual({ path: 'token', expirationSeconds: 3600 });
    expect(projected.find((s) => s.configMap)?.configMap?.name).toBe('kube-root-ca.crt');
    const apiMount = gateway().volumeMounts?.find((m) => m.name === spec.volumes?.find((v) => v.projected)?.name)?.mountPath;
    expect(flags(gateway()).get('api-server-bearer-token-file')).toEqual([`${apiMount}/token`]);
    expect(flags(gateway()).get('api-server-ca-file')).toEqual([`${apiMount}/ca.crt`]);
    const servingMount = gateway().volumeMounts?.find((m) => m.name === spec.volumes?.find((v) => v.secret?.secretName === 'kube-gateway-secrets')?.name)?.mountPath;
    expect(flags(gateway()).get('gateway-cert-file')).toEqual([`${servingMount}/tls.crt`]);
    expect(flags(gateway()).get('gateway-key-file')).toEqual([`${servingMount}/tls.key`]);
  });

  it.each(['Deployment', 'Job'])('hardens every container of the %s', (kind) => {
    const spec = podSpec(one(objects(), kind));
    for (const container of spec.containers) {
      expect(container.securityContext, container.name).toEqual({
        runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const bound of ['requests', 'limits'] as const) expect(Object.keys(container.resources?.[bound] ?? {}).sort(), `${container.name} ${bound}`).toEqual(['cpu', 'memory']);
    }
  });

  it('probes /readyz and /healthz over HTTPS on the gateway port', () => {
    const port = gateway().ports?.find((p) => p.containerPort === 8080)?.name;
    expect(gateway().readinessProbe?.httpGet).toEqual({ path: '/readyz', port, scheme: 'HTTPS' });
    expect(gateway().livenessProbe?.httpGet).toEqual({ path: '/healthz', port, scheme: 'HTTPS' });
  });

  it('gives the pod longer to stop than the gateway gives its requests', () => {
    const grace = parseDuration(flags(gateway()).get('shutdown-grace-period')?.[0] ?? '');
    const kill = (podSpec(deployment()).terminationGracePeriodSeconds ?? 30) * 1000;
    expect(grace).toBeGreaterThan(0);
    expect(kill - grace).toBeGreaterThanOrEqual(5000);
  });

  it('passes arguments the real gateway accepts, with the console-only ceiling and no token endpoint', () => {
    const env = { GATEPASS_AUDIENCE: gatewayUrl() };
    expect(gateway().env?.find((e) => e.name === 'GATEPASS_AUDIENCE')?.valueFrom?.configMapKeyRef).toEqual({ name: 'gatepass', key: 'gatewayURL' });
    const parsed = parseCommandLine(gateway().args ?? [], env);
    if (parsed.help) throw new Error('--help in the manifests');
    expect(parsed.config.allowedUrls).toEqual([
      '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc',
      '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc/screenshot',
      '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/console',
    ]);
    expect(parsed.config.jwtRequestEnable).toBe(false);
    expect(parsed.config.oauthServerEnable).toBe(false);
    expect(parsed.config.apiServerSkipVerifyTls).toBe(false);
    expect(parsed.config.gatewayListen.href).toBe('https://0.0.0.0:8080/');
    expect(parsed.config.metricsListen?.href).toBe('http://0.0.0.0:9090/');
    expect(parsed.config.audiences).toEqual([gatewayUrl()]);
    expect(parsed.config.jwtPublicKeyName).toBe('kube-gateway-jwt');
    expect(parsed.config.jwtPublicKeyNamespace).toBe('kube-gateway');
  });

  it('tells each replica who and where it is from the downward API, and serves on the port the other replicas forward to', () => {
    const fields = Object.fromEntries((gateway().env ?? []).filter((e) => e.valueFrom?.fieldRef).map((e) => [e.name, e.valueFrom!.fieldRef!.fieldPath]));
    expect(fields).toEqual({ POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace', POD_IP: 'status.podIP' });
    const listen = new URL(flags(gateway()).get('gateway-listen')?.[0] ?? '');
    const policy = one(objects(), 'NetworkPolicy')['spec'] as { egress: { ports: { port: number }[]; to?: { podSelector?: { matchLabels: Record<string, string> } }[] }[] };
    const podLabels = (deployment()['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const toReplicas = policy.egress.filter((rule) => rule.ports.some((p) => p.port === Number(listen.port)));
    expect(toReplicas).toHaveLength(1);
    expect(toReplicas[0]!.to).toEqual([{ podSelector: { matchLabels: podLabels } }]);
  });

  it('bootstraps keys with a one-shot Job of the same image under its own account', () => {
    const job = one(objects(), 'Job');
    const spec = podSpec(job);
    expect(spec.serviceAccountName).toBe('gatepass-keys');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.containers[0]?.image).toBe(gateway().image);
    expect(spec.containers[0]?.args?.slice(0, 2)).toEqual(['keys', 'init']);
  });

  it('serves 8080 and 9090, keeps one pod through disruptions and scales on CPU', () => {
    const service = one(objects(), 'Service', 'kube-gateway-svc');
    const selector = (service['spec'] as { selector: Record<string, string> }).selector;
    const podLabels = (deployment()['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(podLabels).toMatchObject(selector);
    expect((service['spec'] as { ports: { port: number; targetPort: string }[] }).ports.map((p) => [p.port, p.targetPort])).toEqual([[8080, 'https'], [9090, 'metrics']]);
    const pdb = one(objects(), 'PodDisruptionBudget')['spec'] as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    expect(pdb.minAvailable).toBe(1);
    expect(podLabels).toMatchObject(pdb.selector.matchLabels);
    const hpa = one(objects(), 'HorizontalPodAutoscaler')['spec'] as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; metrics: { resource: { name: string } }[] };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'kube-gateway' });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(['cpu']);
  });

  it('limits traffic: consoles in on 8080, metrics from monitoring only, out to DNS, the API server and the other replicas', () => {
    const policy = one(objects(), 'NetworkPolicy')['spec'] as {
      podSelector: { matchLabels: Record<string, string> }; policyTypes: string[];
      ingress: { ports: { port: number }[]; from?: unknown[] }[]; egress: { ports: { port: number }[] }[];
    };
    const podLabels = (deployment()['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(podLabels).toMatchObject(policy.podSelector.matchLabels);
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    const open = policy.ingress.filter((rule) => rule.from === undefined).flatMap((rule) => rule.ports.map((p) => p.port));
    expect(open).toEqual([8080]);
    expect(policy.ingress.filter((rule) => rule.from !== undefined).flatMap((rule) => rule.ports.map((p) => p.port))).toEqual([9090]);
    expect([...new Set(policy.egress.flatMap((rule) => rule.ports.map((p) => p.port)))].sort((a, b) => a - b)).toEqual([53, 443, 5353, 6443, 8080]);
  });

  it('publishes the address recipients reach in the gatepass ConfigMap', () => {
    const url = new URL(gatewayUrl());
    expect(url.protocol).toBe('https:');
    if (overlay === 'openshift') {
      const route = one(objects(), 'Route')['spec'] as { host: string; to: { name: string }; port: { targetPort: string }; tls: { termination: string } };
      expect(route).toMatchObject({ host: url.hostname, to: { name: 'kube-gateway-svc' }, port: { targetPort: 'https' }, tls: { termination: 'reencrypt' } });
      expect(one(objects(), 'Service').metadata.annotations?.['service.beta.openshift.io/serving-cert-secret-name']).toBe('kube-gateway-secrets');
    } else if (overlay === 'ingress') {
      const ingress = one(objects(), 'Ingress');
      const spec = ingress['spec'] as { tls: { hosts: string[] }[]; rules: { host: string }[] };
      expect(spec.rules.map((r) => r.host)).toEqual([url.hostname]);
      expect(spec.tls.flatMap((t) => t.hosts)).toEqual([url.hostname]);
      expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTPS');
    } else {
      const ports = (one(objects(), 'Service')['spec'] as { type: string; ports: { name: string; nodePort?: number }[] });
      expect(ports.type).toBe('NodePort');
      expect(String(ports.ports.find((p) => p.name === 'https')?.nodePort)).toBe(url.port);
    }
    expect(ofKind(objects(), 'Route').length + ofKind(objects(), 'Ingress').length).toBe(overlay === 'minikube' ? 0 : 1);
  });
});
