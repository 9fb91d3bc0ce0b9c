import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath, vncPath } from '../../shared/kubevirt-paths.ts';
import { bearerSubprotocol as bearerProtocol, openConsole } from '../support/console-client.ts';
import { startHarness, type Harness } from '../support/gateway-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the link flow a browser follows', () => {
  it('verifies the token, sets HttpOnly cookies and redirects to the viewer', async () => {
    const token = await h.consoleToken();
    const res = await fetch(`${h.url}/auth/jwt/set?token=${token}&name=web-1&namespace=team-a`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/noVNC/vnc_lite.html?path=${encodeURIComponent(`k8s${vncPath('team-a', 'web-1')}`)}`);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(3);
    expect(cookies[0]).toMatch(/^kg-jwt-session-code=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies[1]).toMatch(/^gatepass-console\.team-a\.web-1=/);
    // The browser's session, which a limited-use link's use is bound to.
    expect(cookies[2]).toMatch(/^gatepass-session=[A-Za-z0-9_-]{22}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the token wrapped in quotes, as jq prints it', async () => {
    const token = await h.consoleToken();
    const res = await fetch(`${h.url}/auth/jwt/set?token=%22${token}%22&name=web-1&namespace=team-a`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie()[0]).toContain(token);
  });

  it('accepts the POST form that /open and /login send', async () => {
    const token = await h.consoleToken();
    const res = await fetch(`${h.url}/auth/jwt/set`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, name: 'web-1', namespace: 'team-a' }),
    });
    expect(res.status).toBe(302);
  });

  it('tells the viewer what the console cookie grants, never the token', async () => {
    const token = await h.consoleToken({ restrictions: { label: 'for a contractor' } });
    const res = await fetch(`${h.url}/auth/jwt/session?namespace=team-a&name=web-1`, { headers: { cookie: `gatepass-console.team-a.web-1=${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ namespace: 'team-a', name: 'web-1', label: 'for a contractor', viewOnly: false });
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('opens the console with the cookie from the gateway’s own page', async () => {
    const token = await h.consoleToken();
    const { data, ws } = await openConsole(`${h.url.replace('http', 'ws')}/k8s${vncPath('team-a', 'web-1')}`, {
      headers: { cookie: `kg-jwt-session-code=${token}`, origin: h.url },
    });
    expect(data?.toString('latin1')).toBe('RFB 003.008\n');
    ws.close();
  });
});

describe('API clients and the desktop app', () => {
  it('forwards a bearer-authenticated GET with the gateway’s own credentials', async () => {
    const token = await h.consoleToken({ urls: [screenshotPath('team-a', 'web-1')] });
    const res = await fetch(`${h.url}/k8s${screenshotPath('team-a', 'web-1')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // The last request other than an audit Event a console closed just before may still be writing.
    expect(h.upstream.filter((line) => !/ \/api\/v1\/namespaces\/[^/]+\/events/.test(line)).at(-1)).toMatch(/^GET \/apis\/subresources.kubevirt.io\/v1\/namespaces\/team-a\/virtualmachineinstances\/web-1\/vnc\/screenshot as system:serviceaccount:kube-gateway:/);
  });

  it('opens a console with the bearer subprotocol and never echoes it', async () => {
    const token = await h.consoleToken();
    const { data, ws } = await openConsole(`${h.url.replace('http', 'ws')}/k8s${vncPath('team-a', 'web-1')}`, { protocols: ['plain.kubevirt.io', bearerProtocol(token)] });
    expect(data?.toString('latin1')).toBe('RFB 003.008\n');
    expect(ws.protocol).toBe('plain.kubevirt.io');
    ws.close();
  });

  it('advertises what it enforces', async () => {
    const res = await fetch(`${h.url}/.well-known/gatepass`);
    const body = (await res.json()) as { gateway: string; enforces: string[] };
    expect(body.gateway).toBe('gatepass');
    expect(body.enforces).toEqual(expect.arrayContaining(['viewOnly', 'maxUses', 'revocation']));
    // Without --audience this gateway refuses tokens with `aud`, so it must not invite them.
    expect(body.enforces).not.toContain('audience');
  });

  it('never writes a token to its log', async () => {
    const token = await h.consoleToken();
    await fetch(`${h.url}/k8s${screenshotPath('team-a', 'web-1')}`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${h.url}/auth/jwt/set?token=${token}&name=web-1&namespace=team-a`, { redirect: 'manual' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.logs.length).toBeGreaterThan(0);
    const signature = token.split('.')[2]!;
    expect(h.logs.join('\n')).not.toContain(signature);
  });
});
