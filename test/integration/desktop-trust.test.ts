// Trusting a gateway with a private CA (DESIGN), against the real gateway
// serving https with a certificate from a throwaway CA: a link's pin is
// honoured for that link's gateway alone, the ConfigMap's gatewayCA for the
// published gateway's origin alone, and nothing else gets in — checks are never
// turned off. Also: finding the gateway from a Route or an Ingress, and
// "Send by mail".
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewayLink, parseLink } from '../../shared/links.ts';
import { createDesktopApi, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { defaultClusterSettings } from '../../main/services/cluster-settings.ts';
import { locateGateway } from '../../main/services/gateway-discovery.ts';
import { createKubeClient } from '../../main/services/kube-client.ts';
import { createKubeconfigService } from '../../main/services/kubeconfig.ts';
import { createPki, type Pki } from '../cluster/pki.ts';
import { startHarness, type Harness } from '../support/gateway-harness.ts';
import { memoryStore, fakePlatform, freePort, readChannel, rejection } from '../support/desktop-doubles.ts';

const spkiPinOf = (certPem: string) => `sha256/${createHash('sha256').update(createPublicKey(certPem).export({ type: 'spki', format: 'der' })).digest('base64')}`;

let pki: Pki;
let harness: Harness;
let port: number;
let gatewayUrl: string;
let dir: string;
let operator: DesktopApiImpl;
let mail: ReturnType<typeof fakePlatform>;
const apis: DesktopApiImpl[] = [];

/** A recipient's app: knows nothing of the cluster's CA. */
function recipient(): DesktopApiImpl {
  const api = createDesktopApi({ platform: fakePlatform(false).platform, store: memoryStore(), kubeconfigPaths: [], env: {}, loginPath: async () => undefined });
  apis.push(api);
  return api;
}

async function linkFor(gateway: string, options: { pin?: string; name?: string } = {}): Promise<string> {
  const name = options.name ?? 'web-1';
  const token = await harness.consoleToken({ namespace: 'team-a', name, aud: gatewayUrl, duration: '10m' });
  return buildGatewayLink({ gateway, token, namespace: 'team-a', name, form: 'fragment', ...(options.pin ? { pin: options.pin } : {}) });
}

async function firstBytes(api: DesktopApiImpl, link: string): Promise<string> {
  const ticket = await api.openConsole({ kind: 'link', link }, { takeOver: true });
  const outcome = await readChannel(api.takeConsoleChannel(ticket.id)!, 12);
  await api.closeConsole(ticket.id);
  return 'bytes' in outcome ? outcome.bytes.toString('latin1') : `closed ${outcome.code}: ${outcome.reason}`;
}

const publish = (data: Record<string, string>) =>
  harness.cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gatepass', namespace: 'kube-gateway' }, data });

beforeAll(async () => {
  pki = await createPki();
  dir = mkdtempSync(join(tmpdir(), 'gatepass-trust-'));
  writeFileSync(join(dir, 'tls.crt'), pki.server.certPem);
  writeFileSync(join(dir, 'tls.key'), pki.server.keyPem);
  port = await freePort();
  gatewayUrl = `https://127.0.0.1:${port}`;
  harness = await startHarness({ flags: ['--gateway-listen', gatewayUrl, '--gateway-cert-file', join(dir, 'tls.crt'), '--gateway-key-file', join(dir, 'tls.key'), '--audience', gatewayUrl] });
  mail = fakePlatform(true);
  operator = createDesktopApi({ platform: mail.platform, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined, gatewayCacheMs: 0 });
  apis.push(operator);
});

afterAll(async () => {
  await Promise.all(apis.map((api) => api.dispose()));
  await harness?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a limited-use link to an HTTPS gateway', () => {
  it('reopens in the same app as the same use (the app sends the __Host- session the gateway reads), and another app finds it used up', async () => {
    const token = await harness.consoleToken({ namespace: 'team-a', name: 'db-1', aud: gatewayUrl, duration: '10m', restrictions: { maxUses: 1 } });
    const link = buildGatewayLink({ gateway: gatewayUrl, token, namespace: 'team-a', name: 'db-1', form: 'fragment', pin: spkiPinOf(pki.server.certPem) });
    const app = recipient();
    expect(await firstBytes(app, link)).toBe('RFB 003.008\n');
    expect(await firstBytes(app, link)).toBe('RFB 003.008\n');
    expect(await firstBytes(recipient(), link)).toMatch(/^closed 4403: .*used up/);
  });
});

describe('a link pinned to the gateway certificate', () => {
  it('opens the console when the pin matches the gateway key', async () => {
    expect(await firstBytes(recipient(), await linkFor(gatewayUrl, { pin: spkiPinOf(pki.server.certPem) }))).toBe('RFB 003.008\n');
  });

  it('refuses a gateway whose key is not the pinned one, saying so', async () => {
    const wrongPin = `sha256/${randomBytes(32).toString('base64')}`;
    const error = await rejection(recipient().openConsole({ kind: 'link', link: await linkFor(gatewayUrl, { pin: wrongPin }) }, { takeOver: true }));
    expect(error).toMatchObject({ code: 'unreachable' });
    expect(error.message).toContain(`does not match the link's pin (${spkiPinOf(pki.server.certPem)} ≠ ${wrongPin})`);
    // The CA's own key is not the gateway's either.
    const caPin = await rejection(recipient().openConsole({ kind: 'link', link: await linkFor(gatewayUrl, { pin: spkiPinOf(pki.ca.certPem) }) }, { takeOver: true }));
    expect(caPin.message).toContain("does not match the link's pin");
  });

  it('never trusts the private CA without a pin, even after a pinned link opened', async () => {
    const api = recipient();
    expect(await firstBytes(api, await linkFor(gatewayUrl, { pin: spkiPinOf(pki.server.certPem) }))).toBe('RFB 003.008\n');
    const error = await rejection(api.openConsole({ kind: 'link', link: await linkFor(gatewayUrl) }, { takeOver: true }));
    expect(error).toMatchObject({ code: 'unreachable' });
    expect(error.message).toMatch(/certificate of the gateway at https:\/\/127\.0\.0\.1:\d+ is not trusted/);
  });
});

describe("the ConfigMap's gatewayCA", () => {
  it('is needed: without it the private certificate is not trusted', async () => {
    publish({ gatewayURL: gatewayUrl });
    const error = await rejection(operator.getGateway('operator'));
    expect(error).toMatchObject({ code: 'unreachable', context: 'operator' });
    expect(error.message).toMatch(/not trusted/);
  });

  it('trusts the CA for the published gateway, and pins the links issued for it', async () => {
    publish({ gatewayURL: gatewayUrl, gatewayCA: pki.ca.certPem });
    expect(await operator.getGateway('operator')).toMatchObject({ url: gatewayUrl, kind: 'gatepass', source: 'configmap' });
    const result = await operator.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '10m' });
    expect(parseLink(result.link).pin).toBe(spkiPinOf(pki.server.certPem));
    // The recipient, without the CA, opens it through the pin alone.
    expect(await firstBytes(recipient(), result.link)).toBe('RFB 003.008\n');
    expect(await firstBytes(operator, result.link)).toBe('RFB 003.008\n');
  });

  it('trusts that CA only for that context’s own gateway: not another host, not received links', async () => {
    publish({ gatewayURL: gatewayUrl, gatewayCA: pki.ca.certPem });
    expect(await operator.getGateway('operator')).toMatchObject({ url: gatewayUrl });
    // The serving certificate is valid for localhost too: only the CA's scope keeps it out.
    await operator.saveClusterSettings('admin', { ...defaultClusterSettings(), gatewayURL: `https://localhost:${port}` });
    const error = await rejection(operator.getGateway('admin'));
    expect(error).toMatchObject({ code: 'unreachable', context: 'admin' });
    expect(error.message).toMatch(/certificate of the gateway at https:\/\/localhost:\d+ is not trusted/);
    // Another context naming the very same gateway does not inherit the CA the operator context's cluster published.
    await operator.saveClusterSettings('admin', { ...defaultClusterSettings(), gatewayURL: gatewayUrl });
    expect(await rejection(operator.getGateway('admin'))).toMatchObject({ code: 'unreachable', context: 'admin' });
    // A received link is judged by its own pin and the system CAs, never by a CA some cluster published.
    expect((await rejection(operator.openConsole({ kind: 'link', link: await linkFor(gatewayUrl) }, { takeOver: true }))).message).toMatch(/not trusted/);
    expect((await rejection(operator.openConsole({ kind: 'link', link: await linkFor(`https://localhost:${port}`) }, { takeOver: true }))).message).toMatch(/not trusted/);
  });
});

describe('finding the gateway without a gatewayURL', () => {
  const client = () => createKubeClient(createKubeconfigService({ paths: [harness.cluster.kubeconfigPath] }).entry('operator'), { env: {}, loginPath: async () => undefined });

  beforeAll(() => {
    publish({});
    // What an installation grants the issuer so the app can read the gateway's Route or Ingress.
    harness.cluster.objects.put({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'gatepass-gateway-finder', namespace: 'kube-gateway' },
      rules: [{ apiGroups: ['route.openshift.io', 'networking.k8s.io'], resources: ['routes', 'ingresses'], verbs: ['list'] }],
    });
    harness.cluster.objects.put({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'gatepass-gateway-finder', namespace: 'kube-gateway' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gatepass-gateway-finder' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    });
  });

  it("takes an OpenShift Route's host when it has TLS", async () => {
    const route = (name: string, host: string, tls: boolean) => ({
      apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name, namespace: 'kube-gateway' },
      spec: { host, to: { kind: 'Service', name: 'kube-gateway' }, ...(tls ? { tls: { termination: 'reencrypt' } } : {}) },
    });
    harness.cluster.objects.put(route('kube-gateway-plain', 'plain.apps.example.test', false));
    harness.cluster.objects.put(route('console', 'other.apps.example.test', true));
    harness.cluster.objects.put(route('kube-gateway', 'gatepass.apps.example.test', true));
    expect(await locateGateway(client(), defaultClusterSettings())).toEqual({ url: 'https://gatepass.apps.example.test', source: 'route' });
    for (const name of ['kube-gateway-plain', 'console', 'kube-gateway']) harness.cluster.objects.delete('Route', 'kube-gateway', name);
  });

  it("takes an Ingress's TLS-covered rule host", async () => {
    harness.cluster.objects.put({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'kube-gateway', namespace: 'kube-gateway' },
      spec: {
        tls: [{ hosts: ['gw.example.test'], secretName: 'kube-gateway-tls' }],
        rules: [{ host: 'plain.example.test' }, { host: 'gw.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'kube-gateway', port: { number: 8080 } } } }] } }],
      },
    });
    expect(await locateGateway(client(), defaultClusterSettings())).toEqual({ url: 'https://gw.example.test', source: 'ingress' });
    harness.cluster.objects.delete('Ingress', 'kube-gateway', 'kube-gateway');
  });

  it('asks for the URL when there is neither, and a user who may not list them gets the same answer', async () => {
    const error = await rejection(operator.getGateway('operator'));
    expect(error).toMatchObject({ code: 'gateway', context: 'operator' });
    expect(error.message).toMatch(/no Route or Ingress named kube-gateway\* in namespace kube-gateway\. Enter the gateway URL in Settings\.$/);
  });
});

describe('send by mail', () => {
  it('opens a mailto: with the subject and the link in the body, encoded', async () => {
    publish({ gatewayURL: gatewayUrl, gatewayCA: pki.ca.certPem });
    const result = await operator.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '15m', viewOnly: true, label: 'for Carol & Dan' });
    const before = mail.opened.length;
    await operator.sendByMail(result.issued.id);
    expect(mail.opened).toHaveLength(before + 1);
    const url = mail.opened.at(-1)!;
    expect(url).toMatch(/^mailto:\?subject=[^&#\s]+&body=[^&#\s]+$/);
    const [subject, body] = url.slice('mailto:?'.length).split('&').map((part) => decodeURIComponent(part.slice(part.indexOf('=') + 1)));
    expect(subject).toBe('Console link for team-a/web-1 (view only)');
    expect(body).toContain('for Carol & Dan');
    expect(body).toContain(`valid until ${result.issued.until}`);
    expect(body!.split('\n')).toContain(result.link);
  });

  it('opens nothing for a link it does not know or did not keep', async () => {
    const before = mail.opened.length;
    expect(await rejection(operator.sendByMail('no-such-link'))).toMatchObject({ code: 'not-found' });
    const plain = fakePlatform(false);
    const unsealed = createDesktopApi({ platform: plain.platform, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined });
    apis.push(unsealed);
    const result = await unsealed.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '5m' });
    expect(result.issued.canCopyAgain).toBe(false);
    expect(await rejection(unsealed.sendByMail(result.issued.id))).toMatchObject({ code: 'unsupported' });
    expect(plain.opened).toEqual([]);
    expect(mail.opened).toHaveLength(before);
  });
});
