// The optional endpoints: /auth/jwt/request (RBAC on the key decides who may
// issue, and the caller's own access to what the token grants decides what)
// and the OAuth code flow (state bound to a cookie, PKCE).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath, vncPath } from '../../shared/kubevirt-paths.ts';
import { startHarness, type Harness } from '../support/gateway-harness.ts';

const shot = screenshotPath('team-a', 'web-1');

describe('/auth/jwt/request', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ flags: ['--jwt-request-enable'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const request = (token: string | undefined, body: unknown) =>
    fetch(`${h.url}/auth/jwt/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('signs for a caller who may read the key and open what the token grants, in kube-gateway’s response shape', async () => {
    const res = await request(h.cluster.credentials['issuer-limited']?.token, { urls: [shot], Duration: '30m' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['Duration', 'Exp', 'From', 'ID', 'NBf', 'Token', 'URLs', 'Until', 'Verbs'].sort());
    expect(body).toMatchObject({ URLs: [shot], Verbs: ['get'], Duration: '30m0s' });
    const use = await fetch(`${h.url}/k8s${shot}`, { headers: { authorization: `Bearer ${body.Token as string}` } });
    expect(use.status).toBe(200);
  });

  it('refuses a caller who may not read the key', async () => {
    const res = await request(h.cluster.credentials.viewer?.token, { URLs: [shot] });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/may not read the signing key/);
  });

  // issuer-limited (dana) may read the key, but open consoles only in team-a.
  it('gives no token to a key reader for a console they may not open themselves, and says why', async () => {
    const res = await request(h.cluster.credentials['issuer-limited']?.token, { URLs: [vncPath('team-b', 'build-7')], duration: '10m' });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.message).toBe('you may not get virtualmachineinstances/vnc of "build-7" in namespace "team-b" yourself, so you may not issue a token for it');
    expect(body).not.toHaveProperty('Token');
    expect(JSON.stringify(body)).not.toMatch(/eyJ/);
  });

  it('gives no token when one URL among allowed ones is out of reach', async () => {
    const res = await request(h.cluster.credentials['issuer-limited']?.token, { URLs: [vncPath('team-a', 'web-1'), vncPath('team-b', 'build-7')] });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/of "build-7" in namespace "team-b"/);
  });

  it('asks about the exact subresource: the console does not stand in for the screenshot', async () => {
    // alice may get virtualmachineinstances/vnc everywhere, but not vnc/screenshot.
    const res = await request(h.cluster.credentials.operator?.token, { URLs: [shot] });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/get virtualmachineinstances\/vnc\/screenshot of "web-1"/);
    expect((await request(h.cluster.credentials.operator?.token, { URLs: [vncPath('team-b', 'build-7')] })).status).toBe(200);
  });

  it('asks a kube-gateway prefix pattern about every VM it reaches', async () => {
    // dana may open consoles (and screenshots) of every VM in team-a, and of none elsewhere.
    const dana = h.cluster.credentials['issuer-limited']?.token;
    expect((await request(dana, { URLs: ['/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/*'] })).status).toBe(200);
    const everywhere = await request(dana, { URLs: ['/apis/subresources.kubevirt.io/v1/namespaces/*'] });
    expect(everywhere.status).toBe(403);
    expect(((await everywhere.json()) as { message: string }).message).toMatch(/get virtualmachineinstances\/vnc of every VM in every namespace/);
    // alice may open every console, but no screenshot: a pattern reaching screenshots is more than she holds.
    const alice = await request(h.cluster.credentials.operator?.token, { URLs: ['/apis/subresources.kubevirt.io/v1/namespaces/team-b/virtualmachineinstances/*'] });
    expect(alice.status).toBe(403);
    expect(((await alice.json()) as { message: string }).message).toMatch(/vnc\/screenshot of every VM in namespace "team-b"/);
  });

  it('refuses a pattern that reaches beyond the console subresources, whoever asks', async () => {
    const res = await request(h.cluster.credentials.operator?.token, { URLs: ['/apis*'] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/cannot be checked against your own permissions/);
  });

  it('refuses a caller without a token, or with one the cluster does not know', async () => {
    expect((await request(undefined, { URLs: [shot] })).status).toBe(401);
    expect((await request('nobody', { URLs: [shot] })).status).toBe(401);
  });

  it.each([
    ['malformed JSON', '{"URLs": [', /malformed/],
    ['a JSON array', '[]', /object/],
    ['no URLs', { duration: '1h' }, /at least one/],
    ['an empty URL pattern', { URLs: [''] }, /pattern|empty/],
    ['an invalid duration', { URLs: [shot], duration: '1 hour' }, /duration/],
    ['a negative duration', { URLs: [shot], duration: '-1h' }, /duration|negative/],
    ['an invalid from', { URLs: [shot], from: 'tomorrow' }, /from|RFC 3339/],
    ['a lifetime over the cap', { URLs: [shot], duration: '1000h' }, /longer than the maximum/],
    ['verbs that are not strings', { URLs: [shot], verbs: [1] }, /verbs/],
  ])('answers 400 to %s', async (_what, body, message) => {
    const res = await request(h.cluster.credentials.operator?.token, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });
});

describe('/auth/jwt/request when not enabled', () => {
  it('is 404, and so are the OAuth routes', async () => {
    const h = await startHarness();
    try {
      for (const path of ['/auth/jwt/request', '/auth/login', '/auth/callback', '/auth/logout']) {
        expect((await fetch(`${h.url}${path}`, { method: path.endsWith('request') ? 'POST' : 'GET' })).status).toBe(404);
      }
    } finally {
      await h.close();
    }
  });
});

describe('OAuth login', () => {
  let h: Harness;
  let oauth: http.Server;
  let oauthUrl: string;
  const issued = new Map<string, string>();

  beforeAll(async () => {
    // A real OAuth token endpoint: it remembers the PKCE challenge per code and checks the verifier.
    oauth = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        const challenge = issued.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const ok = challenge !== undefined && createHash('sha256').update(verifier).digest('base64url') === challenge;
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { access_token: 'user-access-token', expires_in: 3600 } : { error: 'invalid_grant' }));
      });
    });
    await new Promise<void>((resolve) => oauth.listen(0, '127.0.0.1', resolve));
    oauthUrl = `http://127.0.0.1:${(oauth.address() as AddressInfo).port}`;
    h = await startHarness({
      flags: ['--oauth-server-enable', '--oauth-server-auth-url', `${oauthUrl}/authorize`, '--oauth-server-token-url', `${oauthUrl}/token`, '--oauth-server-callback-address', 'http://127.0.0.1:1/'],
    });
  });
  afterAll(async () => {
    await h?.close();
    oauth?.close();
  });

  async function begin() {
    const res = await fetch(`${h.url}/auth/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    const cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    return { location, cookie };
  }

  it('redirects to the authorization endpoint with state and an S256 PKCE challenge', async () => {
    const { location, cookie } = await begin();
    expect(location.origin + location.pathname).toBe(`${oauthUrl}/authorize`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(cookie).toMatch(/^gatepass-oauth-state=/);
  });

  it('refuses a callback whose state does not match the cookie', async () => {
    const { location, cookie } = await begin();
    issued.set('code-1', location.searchParams.get('code_challenge') ?? '');
    const forged = await fetch(`${h.url}/auth/callback?code=code-1&state=forged`, { redirect: 'manual', headers: { cookie } });
    expect(forged.status).toBe(403);
    const noCookie = await fetch(`${h.url}/auth/callback?code=code-1&state=${location.searchParams.get('state')}`, { redirect: 'manual' });
    expect(noCookie.status).toBe(403);
    expect(noCookie.headers.getSetCookie().some((c) => c.startsWith('kg-bearer-session-code=user'))).toBe(false);
  });

  it('exchanges the code with the PKCE verifier and keeps the token in an HttpOnly cookie', async () => {
    const { location, cookie } = await begin();
    issued.set('code-2', location.searchParams.get('code_challenge') ?? '');
    const res = await fetch(`${h.url}/auth/callback?code=code-2&state=${location.searchParams.get('state')}`, { redirect: 'manual', headers: { cookie } });
    expect(res.status).toBe(302);
    const bearer = res.headers.getSetCookie().find((c) => c.startsWith('kg-bearer-session-code='));
    expect(bearer).toMatch(/^kg-bearer-session-code=user-access-token; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax/);
  });

  it('uses a signed-in user’s own token upstream, so their RBAC decides', async () => {
    const operator = h.cluster.credentials.operator?.token ?? '';
    const allowed = await fetch(`${h.url}/k8s/apis/kubevirt.io/v1/virtualmachines`, { headers: { cookie: `kg-bearer-session-code=${operator}` } });
    expect(allowed.status).toBe(200);
    const viewer = h.cluster.credentials.viewer?.token ?? '';
    const denied = await fetch(`${h.url}/k8s/api/v1/namespaces/kube-gateway/secrets`, { headers: { cookie: `kg-bearer-session-code=${viewer}` } });
    expect(denied.status).toBe(403);
  });
});
