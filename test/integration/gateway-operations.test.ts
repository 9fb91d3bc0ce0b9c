// The gateway as an operator runs it: outages of the API server, key and
// token rotation, revocation, limited-use links, metrics, readiness and drain.
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath, vncPath } from '../../shared/kubevirt-paths.ts';
import { importPrivateKey } from '../../shared/node/keys.ts';
import { bearerSubprotocol, closed, openConsole } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ flags: ['--metrics-listen', 'http://127.0.0.1:0'], tuning: { responseTimeoutMs: 500 } });
});
afterAll(async () => {
  await h?.close();
});

const shot = screenshotPath('team-a', 'web-1');
const get = async (token: string, path = shot) => fetch(`${h.url}/k8s${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('when the API server misbehaves', () => {
  it('answers 502 with kube-gateway’s JSON when the API server drops the connection', async () => {
    const token = await h.consoleToken({ urls: [shot] });
    h.cluster.faults.add({ path: shot, drop: true, times: 1 });
    const res = await get(token);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ api: 'kube-gateway/proxy', code: 502, status: 'BadGateway' });
  });

  it('answers 504 when the API server is too slow', async () => {
    const token = await h.consoleToken({ urls: [shot] });
    h.cluster.faults.add({ path: shot, latencyMs: 1500, times: 1 });
    const res = await get(token);
    expect(res.status).toBe(504);
    expect(((await res.json()) as { message: string }).message).toMatch(/in time/);
  });

  it('passes the API server’s own errors through', async () => {
    const token = await h.consoleToken({ urls: [shot] });
    h.cluster.faults.add({ path: shot, status: 503, times: 1 });
    expect((await get(token)).status).toBe(503);
    expect((await get(token)).status).toBe(200);
  });
});

describe('rotation', () => {
  it('re-reads a rotated service-account token file', async () => {
    const token = await h.consoleToken({ urls: [shot] });
    const original = h.cluster.credentials.gateway?.token ?? '';
    await writeFile(h.files.tokenFile, 'not-a-valid-token');
    try {
      // The file is looked at no more than once a second.
      await waitFor(async () => (await get(token)).status === 401, 'the rotated token to be used');
    } finally {
      await writeFile(h.files.tokenFile, original);
    }
    await waitFor(async () => (await get(token)).status === 200, 'the original token to be used again');
  });

  it('accepts old and new keys while both are published, and only the new one after', async () => {
    const oldToken = await h.consoleToken({ urls: [shot] });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const newKey = importPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const keys = await crypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']);
    const publicKey = await crypto.subtle.importKey('spki', newKey.publicKey.export({ type: 'spki', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=rotated', keys: { privateKey: keys, publicKey }, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' }, notAfter: new Date(Date.now() + 86_400_000) });
    const secret = h.cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt') as unknown as { data: Record<string, string> };
    const oldPem = Buffer.from(secret.data['tls.crt'] ?? '', 'base64').toString();
    const publish = (pem: string) => h.cluster.objects.put({ ...(secret as object), data: { 'tls.crt': Buffer.from(pem).toString('base64') } } as never);

    const newToken = await h.sign({ URLs: [shot], verbs: ['get'], nbf: Math.floor(Date.now() / 1000) - 60, exp: Math.floor(Date.now() / 1000) + 600, id: 'rotated' }, { key: newKey.key, kid: newKey.kid });
    expect((await get(newToken)).status).toBe(401);

    publish(`${cert.toString('pem')}\n${oldPem}`);
    await waitFor(async () => (await get(newToken)).status === 200, 'the new key to be picked up');
    expect((await get(oldToken)).status).toBe(200);

    publish(cert.toString('pem'));
    await waitFor(async () => (await get(oldToken)).status === 401, 'the old key to be dropped');
    expect((await get(newToken)).status).toBe(200);

    publish(oldPem);
    await waitFor(async () => (await get(oldToken)).status === 200, 'the original key to return');
  });
});

describe('revocation and limited-use links', () => {
  it('refuses a revoked token once the revocation list names it', async () => {
    const token = await h.consoleToken({ urls: [shot], id: 'to-be-revoked' });
    expect((await get(token)).status).toBe(200);
    const list = h.cluster.objects.get('ConfigMap', 'kube-gateway', 'gatepass-revoked')!;
    h.cluster.objects.put({ ...list, data: { 'to-be-revoked': new Date(Date.now() + 3_600_000).toISOString() } } as never);
    await waitFor(async () => (await get(token)).status === 401, 'the revocation to reach the gateway');
    expect(((await (await get(token)).json()) as { message: string }).message).toMatch(/revoked/);
  });

  it('ends a console that is already open when its link is revoked', async () => {
    const token = await h.consoleToken({ namespace: 'kube-gateway', name: 'testvm', id: 'revoked-while-open' });
    const attempt = await openConsole(`${h.url.replace('http', 'ws')}/k8s${vncPath('kube-gateway', 'testvm')}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    expect(attempt.data).toBeDefined();
    const end = closed(attempt.ws);
    const list = h.cluster.objects.get('ConfigMap', 'kube-gateway', 'gatepass-revoked')!;
    h.cluster.objects.put({ ...list, data: { ...(list as { data?: Record<string, string> }).data, 'revoked-while-open': new Date(Date.now() + 3_600_000).toISOString() } } as never);
    expect(await end).toEqual({ code: 4401, reason: 'this link has been revoked' });
  });

  it('lets a single-use link open the console once', async () => {
    const token = await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } });
    const url = `${h.url.replace('http', 'ws')}/k8s${vncPath('team-a', 'db-1')}`;
    const first = await openConsole(url, { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    expect(first.data?.toString('latin1')).toBe('RFB 003.008\n');
    first.ws.close();
    const second = await openConsole(url, { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    expect(second.code).toBe(4403);
    expect(second.reason).toMatch(/used up/);
  });

  it('is refused by a gateway that does not know the restriction: its verbs match no HTTP method', async () => {
    const token = await h.consoleToken({ urls: [shot], restrictions: { viewOnly: true } });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { verbs: string[] };
    expect(payload.verbs).toEqual(['gatepass:view']);
  });
});

describe('health, metrics and shutdown', () => {
  it('publishes Prometheus metrics on their own port', async () => {
    const token = await h.consoleToken({ urls: [shot] });
    await get(token);
    const text = await (await fetch(`${h.gateway.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/gatepass_gateway_requests_total\{route="proxy",code="200"\} \d+/);
    expect(text).toMatch(/gatepass_gateway_token_rejections_total\{reason="[a-z-]+"\} \d+/);
    expect(text).toContain('gatepass_gateway_upstream_latency_seconds_bucket');
    expect(text).toContain('gatepass_gateway_console_sessions');
    expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
  });

  it('is live and ready', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  });
});

describe('SIGTERM', () => {
  it('turns unready, closes consoles with 1001 and stops listening', async () => {
    const own = await startHarness();
    const token = await own.consoleToken({ namespace: 'kube-gateway', name: 'testvm' });
    const attempt = await openConsole(`${own.url.replace('http', 'ws')}/k8s${vncPath('kube-gateway', 'testvm')}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    const end = closed(attempt.ws);
    const shutdown = own.gateway.shutdown();
    expect((await end).code).toBe(1001);
    await shutdown;
    await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
    await own.cluster.close();
  });
});

describe('the start-up permission check', () => {
  const warning = /can read secrets other than the public key/;

  it('warns when the service account can read other secrets, as kube-gateway’s own binding allows', async () => {
    // kube-gateway's deploy/ binds its service account to a cluster-wide reader, secrets included.
    const clusterReader = {
      base: 'default' as const,
      objects: [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'kube-gateway-cluster-reader' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }] },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'kube-gateway-cluster-reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kube-gateway-cluster-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'kube-gateway', namespace: 'kube-gateway' }],
        },
      ],
    };
    const broad = await startHarness({ cluster: { fixture: clusterReader } });
    try {
      await waitFor(() => broad.logs.some((l) => warning.test(l)), 'the permission warning');
    } finally {
      await broad.close();
    }
  });

  it('stays quiet for the least-privileged service account', async () => {
    await waitFor(() => h.logs.some((l) => l.includes('"revocation list loaded"')), 'the gateway to settle');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.logs.some((l) => warning.test(l))).toBe(false);
  });
});
