// How the gateway serves: TLS with optional client certificates, the Secure
// cookie rule, and a custom web app from --public-dir.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../cluster/pki.ts';
import { startHarness, type Harness } from '../support/gateway-harness.ts';

let dir: string;
let pki: Pki;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatepass-serving-'));
  pki = await createPki();
  await writeFile(join(dir, 'tls.crt'), pki.server.certPem);
  await writeFile(join(dir, 'tls.key'), pki.server.keyPem);
  await writeFile(join(dir, 'client-ca.crt'), pki.ca.certPem);
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>custom app</title><p>my own web app</p>');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function httpsGet(url: string, options: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: pki.ca.certPem, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

describe('TLS and mutual TLS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      flags: ['--gateway-listen', 'https://127.0.0.1:0', '--gateway-cert-file', join(dir, 'tls.crt'), '--gateway-key-file', join(dir, 'tls.key'), '--client-ca', join(dir, 'client-ca.crt')],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves HTTPS and asks for a client certificate signed by --client-ca', async () => {
    const client = await pki.issueClient('monitoring', []);
    const res = await httpsGet(`${h.url}/healthz`, { cert: client.certPem, key: client.keyPem });
    expect(res.status).toBe(200);
  });

  it('refuses a client without a certificate', async () => {
    await expect(httpsGet(`${h.url}/healthz`, {})).rejects.toThrow();
  });

  it('refuses a certificate from another CA', async () => {
    const stranger = await (await createPki()).issueClient('intruder', []);
    await expect(httpsGet(`${h.url}/healthz`, { cert: stranger.certPem, key: stranger.keyPem })).rejects.toThrow();
  });
});

describe('cookies', () => {
  it('are Secure unless the gateway is plain HTTP on a loopback address', async () => {
    const h = await startHarness({ flags: ['--gateway-listen', 'http://0.0.0.0:0'] });
    try {
      const port = new URL(h.url).port;
      const token = await h.consoleToken();
      const res = await fetch(`http://127.0.0.1:${port}/auth/jwt/set?token=${token}&name=web-1&namespace=team-a`, { redirect: 'manual' });
      expect(res.headers.getSetCookie()[0]).toMatch(/; Secure/);
    } finally {
      await h.close();
    }
  });
});

describe('--public-dir', () => {
  it('serves a custom web app, and nothing outside its folder', async () => {
    const h = await startHarness({ flags: ['--public-dir', dir] });
    try {
      expect(await (await fetch(`${h.url}/`)).text()).toContain('my own web app');
      const escape = await fetch(`${h.url}/%2e%2e/%2e%2e/etc/passwd`);
      expect([400, 403, 404]).toContain(escape.status);
      expect(await escape.text()).not.toContain('root:');
    } finally {
      await h.close();
    }
  });
});
