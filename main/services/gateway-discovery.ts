// Where a context's gateway is and what it is: the URL from the settings, else
// the ConfigMap `gatepass` (key `gatewayURL`, optional `gatewayCA`) in the
// gateway's namespace, else an OpenShift Route or an Ingress named
// kube-gateway*; then `/.well-known/gatepass` tells a Gatepass gateway (and
// what it enforces) from a kube-gateway.
import type { ClusterSettings, GatewayInfo } from '../../shared/desktop-api.ts';
import { LinkError, normaliseGatewayUrl } from '../../shared/links.ts';
import { DesktopFailure, networkError } from './errors.ts';
import { gatewayGet, type GatewayTrustStore } from './gateway-connection.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';

export const GATEPASS_CONFIGMAP = 'gatepass';
const GATEWAY_NAME_PREFIX = 'kube-gateway';

interface Located {
  url: string;
  source: GatewayInfo['source'];
  ca?: string;
}

/** An object that may be absent, forbidden or of an API the cluster does not serve: all mean "not here". */
async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 404 || status === 403) return undefined;
    throw error;
  }
}

function usableUrl(candidate: string): string | undefined {
  try {
    return normaliseGatewayUrl(candidate);
  } catch {
    return undefined;
  }
}

interface Route {
  metadata: { name: string };
  spec?: { host?: string; path?: string; tls?: unknown };
}

interface Ingress {
  metadata: { name: string };
  spec?: { tls?: { hosts?: string[] }[]; rules?: { host?: string }[] };
}

/** The first rule's host that a TLS entry covers (an entry without hosts covers them all), else the first TLS host. */
function ingressHost(ingress: Ingress): string | undefined {
  const tls = ingress.spec?.tls ?? [];
  if (tls.length === 0) return undefined;
  const covered = (host: string) => tls.some((t) => t.hosts === undefined || t.hosts.length === 0 || t.hosts.includes(host));
  const ruleHost = (ingress.spec?.rules ?? []).map((r) => r.host).find((host): host is string => host !== undefined && host !== '' && covered(host));
  return ruleHost ?? tls.flatMap((t) => t.hosts ?? [])[0];
}

export async function locateGateway(client: KubeClient, settings: ClusterSettings): Promise<Located> {
  if (settings.gatewayURL) return { url: settings.gatewayURL, source: 'settings' };
  const namespace = settings.keySecret.namespace;
  const configMap = await optional(() => client.request<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${namespace}/configmaps/${GATEPASS_CONFIGMAP}`));
  const published = configMap?.data?.gatewayURL;
  if (published) {
    const url = usableUrl(published);
    if (!url) throw new DesktopFailure('gateway', `the ConfigMap ${namespace}/${GATEPASS_CONFIGMAP} publishes the gateway URL ${JSON.stringify(published)}, which is not an https:// URL`, client.context);
    const ca = configMap?.data?.gatewayCA;
    return { url, source: 'configmap', ...(ca ? { ca } : {}) };
  }
  const routes = await optional(() => client.request<{ items?: Route[] }>('GET', `/apis/route.openshift.io/v1/namespaces/${namespace}/routes`));
  for (const route of routes?.items ?? []) {
    if (!route.metadata.name.startsWith(GATEWAY_NAME_PREFIX) || !route.spec?.host || !route.spec.tls) continue;
    const url = usableUrl(`https://${route.spec.host}${(route.spec.path ?? '').replace(/\/$/, '')}`);
    if (url) return { url, source: 'route' };
  }
  const ingresses = await optional(() => client.request<{ items?: Ingress[] }>('GET', `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`));
  for (const ingress of ingresses?.items ?? []) {
    if (!ingress.metadata.name.startsWith(GATEWAY_NAME_PREFIX)) continue;
    const host = ingressHost(ingress);
    const url = host ? usableUrl(`https://${host}`) : undefined;
    if (url) return { url, source: 'ingress' };
  }
  throw new DesktopFailure(
    'gateway',
    `no gateway address for context "${client.context}": none in Settings, no gatewayURL in the ConfigMap ${namespace}/${GATEPASS_CONFIGMAP}, and no Route or Ingress named ${GATEWAY_NAME_PREFIX}* in namespace ${namespace}. Enter the gateway URL in Settings.`,
    client.context,
  );
}

interface WellKnown {
  gateway?: unknown;
  enforces?: unknown;
  version?: unknown;
}

/** Asks the gateway what it is; anything but a Gatepass answer means a kube-gateway. */
export async function identifyGateway(located: Located, trust: GatewayTrustStore, env: NodeJS.ProcessEnv, context: string): Promise<GatewayInfo> {
  if (located.ca !== undefined) trust.setCa(context, located.url, located.ca);
  let answer: { status: number; body: string; pin?: string };
  try {
    answer = await gatewayGet(new URL(`${located.url}/.well-known/gatepass`), trust.trustForContext(context, located.url), env);
  } catch (error) {
    const described = networkError(error, context, `the gateway at ${located.url}`);
    throw new DesktopFailure(described?.code ?? 'unreachable', described?.message ?? `cannot reach the gateway at ${located.url}: ${(error as Error).message}`, context);
  }
  if (located.ca !== undefined && answer.pin !== undefined) trust.setPin(context, located.url, answer.pin);
  const info: GatewayInfo = { url: located.url, kind: 'kube-gateway', enforces: [], source: located.source };
  if (answer.status !== 200) return info;
  let body: WellKnown;
  try {
    body = JSON.parse(answer.body) as WellKnown;
  } catch {
    return info;
  }
  if (body.gateway !== 'gatepass') return info;
  info.kind = 'gatepass';
  info.enforces = Array.isArray(body.enforces) ? body.enforces.filter((e): e is string => typeof e === 'string') : [];
  if (typeof body.version === 'string') info.version = body.version;
  return info;
}

export async function discoverGateway(client: KubeClient, settings: ClusterSettings, trust: GatewayTrustStore, env: NodeJS.ProcessEnv): Promise<GatewayInfo> {
  try {
    return await identifyGateway(await locateGateway(client, settings), trust, env, client.context);
  } catch (error) {
    if (error instanceof LinkError) throw new DesktopFailure('gateway', error.message, client.context);
    throw error;
  }
}
