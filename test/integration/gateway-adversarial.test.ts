// Every rule the gateway enforces, attacked. Each refusal also asserts that the
// API server saw nothing of the request.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { screenshotPath, vncPath } from '../../shared/kubevirt-paths.ts';
import { bearerSubprotocol, openConsole } from '../support/console-client.ts';
import { startHarness, strangerKey, type Harness } from '../support/gateway-harness.ts';
import { rawRequest } from '../support/raw-http.ts';

const ceiling = [
  '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc',
  '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc/screenshot',
];

let h: Harness;
let upstreamBefore: number;
beforeAll(async () => {
  h = await startHarness({ flags: ['--max-token-lifetime', '24h', ...ceiling.flatMap((p) => ['--allowed-url', p])] });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  upstreamBefore = h.upstream.length;
});

const shot = screenshotPath('team-a', 'web-1');
const now = () => Math.floor(Date.now() / 1000);

/** The gateway's own audit of a refused console: the VMI's uid and the Event it writes — nothing of the request itself. */
const auditTraffic = /^(?:(?:POST|PATCH) \/api\/v1\/namespaces\/[^/]+\/events|GET \/apis\/kubevirt\.io\/v1\/namespaces\/[^/]+\/virtualmachineinstances\/[^/?]+ as )/;

/** Requests that reached the API server since the test began, other than the gateway's own watches and audit trail. */
function reachedUpstream(): string[] {
  return h.upstream.slice(upstreamBefore).filter((line) => !/\/(secrets|configmaps)\?/.test(line) && !line.includes('selfsubjectrulesreviews') && !auditTraffic.test(line));
}

async function refused(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const res = await rawRequest(h.url, path, init);
  expect(reachedUpstream()).toEqual([]);
  return res;
}

function claimsFor(path: string, extra: Record<string, unknown> = {}) {
  return { URLs: [path], verbs: ['get'], nbf: now() - 60, exp: now() + 600, id: 'adversarial', ...extra };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('signatures and algorithms', () => {
  it('refuses alg none', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claimsFor(shot))}.`;
    const res = await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ api: 'kube-gateway/proxy', kind: 'Error', code: 401 });
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const secret = h.cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt') as unknown as { data: Record<string, string> };
    const publicPem = Buffer.from(secret.data['tls.crt'] ?? '', 'base64');
    const head = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claimsFor(shot))}`;
    const token = `${head}.${createHmac('sha256', publicPem).update(head).digest('base64url')}`;
    expect((await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('refuses a token signed by another key, with or without the right kid', async () => {
    for (const kid of [h.key.kid, '']) {
      const token = await h.sign(claimsFor(shot), { key: strangerKey(), kid });
      expect((await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    }
  });

  it('refuses an unknown kid', async () => {
    const token = await h.sign(claimsFor(shot), { kid: 'not-a-key-we-know' });
    const res = await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });

  it('refuses a tampered payload', async () => {
    const token = await h.sign(claimsFor(shot));
    const [head, , sig] = token.split('.');
    const forged = `${head}.${base64url(claimsFor('/api/v1/namespaces/kube-gateway/secrets'))}.${sig}`;
    expect((await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
  });
});

describe('time', () => {
  it('refuses an expired token and says since when', async () => {
    const token = await h.sign(claimsFor(shot, { nbf: now() - 7200, exp: now() - 3600 }));
    const res = await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).message).toMatch(/expired/);
  });

  it('refuses a token that is not valid yet', async () => {
    const token = await h.sign(claimsFor(shot, { nbf: now() + 3600, exp: now() + 7200 }));
    const res = await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).message).toMatch(/not valid (yet|until)/);
  });

  it('refuses a missing or string exp, and a missing nbf', async () => {
    const { exp: _exp, ...noExp } = claimsFor(shot);
    const { nbf: _nbf, ...noNbf } = claimsFor(shot);
    for (const claims of [noExp, claimsFor(shot, { exp: String(now() + 600) }), noNbf]) {
      const token = await h.sign(claims);
      expect((await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    }
  });

  it('refuses a lifetime over the cap', async () => {
    const token = await h.sign(claimsFor(shot, { exp: now() + 48 * 3600 }));
    const res = await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).message).toMatch(/lifetime|longer/);
  });
});

describe('paths', () => {
  it('refuses a path outside the pattern', async () => {
    const token = await h.sign(claimsFor(shot));
    const res = await refused(`/k8s${screenshotPath('team-a', 'db-1')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
  });

  it('treats * as a raw prefix and nothing more', async () => {
    const prefix = '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/*';
    const token = await h.sign(claimsFor(prefix));
    const auth = { authorization: `Bearer ${token}` };
    expect((await refused('/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1', { headers: auth })).status).toBe(403);
    expect((await refused(`/k8s${screenshotPath('team-b', 'web-1')}`, { headers: auth })).status).toBe(403);
    const allowed = await rawRequest(h.url, `/k8s${shot}`, { headers: auth });
    expect(allowed.status).toBe(200);
  });

  it.each([
    ['a dot-dot segment', `/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc/screenshot/../../../../../../../api/v1/secrets`],
    ['a dot segment', `/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/./virtualmachineinstances/web-1/vnc/screenshot`],
    ['an empty segment', `/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a//virtualmachineinstances/web-1/vnc/screenshot`],
    ['an encoded slash', `/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a%2Fvirtualmachineinstances/web-1/vnc/screenshot`],
    ['an encoded dot', `/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc/screenshot/%2e%2e`],
    ['a backslash', `/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a\\virtualmachineinstances/web-1/vnc/screenshot`],
    ['an encoded NUL', `/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc/screenshot%00`],
  ])('answers 400 to %s, even with a token matching everything', async (_what, path) => {
    const token = await h.sign(claimsFor('/*'));
    const res = await refused(path, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
  });

  it('matches case exactly', async () => {
    const token = await h.sign(claimsFor(shot));
    const res = await refused(`/k8s${shot.replace('team-a', 'Team-A')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
  });

  it('does not let the query carry a path', async () => {
    const token = await h.sign(claimsFor(shot));
    const res = await refused(`/k8s/api/v1/namespaces/kube-gateway/secrets?path=${shot}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
  });

  it('enforces the --allowed-url ceiling over what a token grants', async () => {
    const secrets = '/api/v1/namespaces/kube-gateway/secrets/kube-gateway-jwt-private';
    const token = await h.sign(claimsFor(secrets));
    const res = await refused(`/k8s${secrets}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).message).toMatch(/allowed/);
  });
});

describe('verbs', () => {
  it.each(['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'])('refuses %s with a get-only token', async (method) => {
    const token = await h.sign(claimsFor(shot));
    const res = await refused(`/k8s${shot}`, { method, headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
  });

  it.each(['x-http-method-override', 'x-http-method', 'x-method-override'])('refuses the method override header %s', async (header) => {
    const token = await h.sign(claimsFor(shot));
    const res = await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}`, [header]: 'DELETE' } });
    expect(res.status).toBe(400);
  });

  it('refuses a websocket upgrade without get', async () => {
    const path = vncPath('team-a', 'web-1');
    const token = await h.sign(claimsFor(path, { verbs: ['post'] }));
    const attempt = await openConsole(`${h.url.replace('http', 'ws')}/k8s${path}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    expect(attempt.code).toBe(4403);
    expect(reachedUpstream()).toEqual([]);
  });
});

describe('where tokens come from', () => {
  it('ignores a token in the query string', async () => {
    const token = await h.sign(claimsFor(shot));
    for (const name of ['token', 'access_token', 'jwt']) {
      expect((await refused(`/k8s${shot}?${name}=${token}`)).status).toBe(401);
    }
  });

  it('refuses an oversized token', async () => {
    const token = await h.sign(claimsFor(shot, { padding: 'x'.repeat(9000) }));
    expect((await refused(`/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(431);
  });

  it('refuses oversized headers', async () => {
    expect((await refused(`/k8s${shot}`, { headers: { 'x-filler': 'x'.repeat(20_000) } })).status).toBe(431);
  });

  it('survives malformed cookies', async () => {
    for (const cookie of ['kg-jwt-session-code=%%%', 'kg-jwt-session-code=', '=;;==;', 'gatepass-console.a.b="unterminated', `kg-jwt-session-code=${'a.'.repeat(5000)}`]) {
      const res = await refused(`/k8s${shot}`, { headers: { cookie } });
      expect([400, 401, 431]).toContain(res.status);
    }
  });

  it('refuses a cookie-authenticated console from another origin', async () => {
    const path = vncPath('team-a', 'web-1');
    const token = await h.sign(claimsFor(path));
    for (const headers of [{ cookie: `kg-jwt-session-code=${token}`, origin: 'https://evil.example' }, { cookie: `kg-jwt-session-code=${token}` }] as Record<string, string>[]) {
      const attempt = await openConsole(`${h.url.replace('http', 'ws')}/k8s${path}`, { headers });
      expect(attempt.code).toBe(4403);
    }
    expect(reachedUpstream()).toEqual([]);
  });
});

describe('/auth/jwt/set', () => {
  it.each([['//evil.example/x'], ['/\\evil.example'], ['https://evil.example/'], ['javascript:alert(1)'], ['/%0d%0aSet-Cookie:x=1'.replace('%0d%0a', '\r\n')]])('refuses then=%j', async (then) => {
    const token = await h.sign(claimsFor(shot));
    const res = await fetch(`${h.url}/auth/jwt/set?token=${token}&then=${encodeURIComponent(then)}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses script injection through name and namespace, and escapes what it echoes', async () => {
    const token = await h.sign(claimsFor(shot));
    const res = await fetch(`${h.url}/auth/jwt/set?token=${token}&name=${encodeURIComponent('<script>alert(1)</script>')}&namespace=team-a`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('<script>alert');
    const login = await fetch(`${h.url}/login?name=${encodeURIComponent('"><script>alert(1)</script>')}`);
    const html = await login.text();
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('verifies the token before setting anything', async () => {
    const expired = await h.sign(claimsFor(vncPath('team-a', 'web-1'), { nbf: now() - 7200, exp: now() - 3600 }));
    const res = await fetch(`${h.url}/auth/jwt/set?token=${expired}&name=web-1&namespace=team-a`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).toMatch(/expired/);
  });

  it('refuses a token that does not open the named console', async () => {
    const token = await h.sign(claimsFor(vncPath('team-a', 'web-1')));
    const res = await fetch(`${h.url}/auth/jwt/set?token=${token}&name=db-1&namespace=team-a`, { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses malformed and oversized bodies', async () => {
    const wrongType = await fetch(`${h.url}/auth/jwt/set`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(wrongType.status).toBe(400);
    const huge = await fetch(`${h.url}/auth/jwt/set`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${'a'.repeat(40_000)}` });
    expect(huge.status).toBe(413);
  });
});

describe('upstream credentials', () => {
  it('forwards neither the client’s Authorization nor its cookies', async () => {
    const token = await h.sign(claimsFor(shot));
    const res = await rawRequest(h.url, `/k8s${shot}`, { headers: { authorization: `Bearer ${token}`, cookie: 'session=secret', 'impersonate-user': 'admin' } });
    expect(res.status).toBe(200);
    const seen = reachedUpstream();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/ as system:serviceaccount:kube-gateway:/);
  });
});

describe('an RSA key that is too small is never trusted', () => {
  it('refuses a token signed with a 1024-bit key presented with the right kid', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await expect(h.sign(claimsFor(shot), { key: privateKey, kid: h.key.kid })).rejects.toThrow();
  });
});

describe('the console query', () => {
  const path = vncPath('team-a', 'web-1');
  const consoleUrl = (query: string) => `${h.url.replace('http', 'ws')}/k8s${path}${query}`;
  const vncRequests = () => reachedUpstream().filter((line) => line.includes('/vnc'));

  // KubeVirt decodes keys and takes the first value: passed on, each of these could switch preserveSession off.
  it.each([
    '?%70reserveSession=0',
    '?PreserveSession=false',
    '?preserveSession=false&preserveSession=true',
    '?preserveSession=true&preserveSession=false',
    '?preserveSession=true&%70reserveSession=false',
    '?preserveSession=yes',
    '?preserveSession=true&other=1',
  ])('refuses %s before anything reaches the cluster', async (query) => {
    for (const restrictions of [{ viewOnly: true }, {}]) {
      const token = await h.consoleToken({ restrictions });
      const attempt = await openConsole(consoleUrl(query), { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
      expect(attempt.code).toBe(4403);
      expect(attempt.reason).toMatch(/query parameter|preserveSession/);
    }
    expect(reachedUpstream()).toEqual([]);
  });

  it('forwards a query it rebuilt itself from decoded keys: a view-only link always preserves the session', async () => {
    const watcher = await h.consoleToken({ restrictions: { viewOnly: true } });
    const full = await h.consoleToken();
    const cases: Array<[string, string, string]> = [
      [watcher, '?preserveSession=false', '?preserveSession=true'],
      [watcher, '?preserve%53ession=false', '?preserveSession=true'],
      [watcher, '?%70reserve%53ession=false', '?preserveSession=true'],
      [watcher, '', '?preserveSession=true'],
      [full, '?preserveSession=true', '?preserveSession=true'],
      [full, '?preserveSession=false', ''],
      [full, '?preserve%53ession=true', '?preserveSession=true'],
      [full, '', ''],
    ];
    for (const [token, query, forwarded] of cases) {
      upstreamBefore = h.upstream.length;
      const attempt = await openConsole(consoleUrl(query), { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
      expect(attempt.data?.toString('latin1')).toBe('RFB 003.008\n');
      const end = new Promise((resolve) => attempt.ws.once('close', resolve));
      attempt.ws.close();
      await end;
      expect(vncRequests()).toEqual([expect.stringMatching(new RegExp(`^websocket ${path}${forwarded.replace('?', '\\?')} as `))]);
    }
  });
});
