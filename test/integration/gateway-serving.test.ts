// How the gateway serves: TLS with optional client certificates, the Secure
// cookie rule, and a custom web app from --public-dir.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../cluster/pki.ts';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { closed, openConsole } from '../support/console-client.ts';
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

  it('give a Secure gateway’s browsers their session under the __Host- prefix, and never adopt a planted plain one', async () => {
    const h = await startHarness({ flags: ['--gateway-listen', 'http://0.0.0.0:0'] });
    try {
      const base = `http://127.0.0.1:${new URL(h.url).port}`;
      const token = await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } });
      const planted = 'p'.repeat(22);
      const res = await fetch(`${base}/auth/jwt/set?token=${token}&name=db-1&namespace=team-a`, { redirect: 'manual', headers: { cookie: `gatepass-session=${planted}` } });
      const session = res.headers.getSetCookie().find((c) => c.startsWith('__Host-gatepass-session='));
      expect(session).toMatch(/^__Host-gatepass-session=[A-Za-z0-9_-]{22}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      const id = /=([^;]+)/.exec(session!)![1]!;
      expect(id).not.toBe(planted);

      const url = `${base.replace('http', 'ws')}/k8s${vncPath('team-a', 'db-1')}`;
      const open = (cookie: string) => openConsole(url, { headers: { cookie: `gatepass-console.team-a.db-1=${token}; ${cookie}`, origin: base } });
      for (let i = 0; i < 2; i++) {
        h.cluster.vnc.disconnect('team-a', 'db-1');
        const attempt = await open(`gatepass-session=${planted}; __Host-gatepass-session=${id}`);
        expect(attempt.data?.toString('latin1')).toBe('RFB 003.008\n');
        attempt.ws.close();
        await closed(attempt.ws);
      }
      h.cluster.vnc.disconnect('team-a', 'db-1');
      // Whoever planted the cookie holds that id, not the browser's: the use is not theirs.
      const plantedOnly = await open(`gatepass-session=${planted}`);
      expect(plantedOnly.code).toBe(4403);
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
