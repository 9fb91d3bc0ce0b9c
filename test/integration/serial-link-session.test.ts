// A browser following a link learns which consoles of the VM it opens: the
// gateway leads it to the console the link grants (the screen first) and tells
// the viewer, per console, what the held link allows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { startHarness, type Harness } from '../support/gateway-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const viewerAt = (path: string) => `/noVNC/vnc_lite.html?path=${encodeURIComponent(`k8s${path}`)}`;

async function follow(token: string, name = 'web-1'): Promise<Response> {
  return fetch(`${h.url}/auth/jwt/set?token=${token}&name=${name}&namespace=team-a`, { redirect: 'manual' });
}

async function session(token: string, query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.url}/auth/jwt/session?namespace=team-a&name=web-1${query}`, { headers: { cookie: `gatepass-console.team-a.web-1=${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('following a link', () => {
  it('leads a serial link to the serial console', async () => {
    const res = await follow(await h.consoleToken({ urls: [consolePath('team-a', 'web-1')] }));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(viewerAt(consolePath('team-a', 'web-1')));
  });

  it('leads a link to both consoles to the screen first', async () => {
    const res = await follow(await h.consoleToken({ urls: [consolePath('team-a', 'web-1'), vncPath('team-a', 'web-1')] }));
    expect(res.headers.get('location')).toBe(viewerAt(vncPath('team-a', 'web-1')));
  });

  it('refuses a serial link of another VM, setting no cookie', async () => {
    const res = await follow(await h.consoleToken({ urls: [consolePath('team-a', 'db-1')] }));
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses an expired serial link as expired', async () => {
    const res = await follow(await h.consoleToken({ urls: [consolePath('team-a', 'web-1')], now: Date.now() - 2 * 3_600_000, duration: '30m' }));
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/expired/i);
  });
});

describe('the session a viewer asks for', () => {
  it('lists only the screen for a screen link, and refuses it the serial console', async () => {
    const token = await h.consoleToken();
    expect(await session(token, '')).toMatchObject({ status: 200, body: { consoles: ['vnc'] } });
    expect(await session(token, '&kind=vnc')).toMatchObject({ status: 200, body: { consoles: ['vnc'] } });
    expect(await session(token, '&kind=serial')).toMatchObject({ status: 403 });
  });

  it('lists only the serial console for a serial link, and refuses it the screen', async () => {
    const token = await h.consoleToken({ urls: [consolePath('team-a', 'web-1')], restrictions: { viewOnly: true } });
    expect(await session(token, '&kind=serial')).toMatchObject({ status: 200, body: { consoles: ['serial'], viewOnly: true } });
    expect(await session(token, '')).toMatchObject({ status: 403 });
  });

  it('lists both for a link to both, never with the token', async () => {
    const token = await h.consoleToken({ urls: [vncPath('team-a', 'web-1'), consolePath('team-a', 'web-1')] });
    const { status, body } = await session(token, '&kind=serial');
    expect(status).toBe(200);
    expect(body.consoles).toEqual(['vnc', 'serial']);
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('refuses a kind it does not know', async () => {
    const token = await h.consoleToken();
    for (const kind of ['console', 'usbredir', 'VNC', '']) {
      const { status, body } = await session(token, `&kind=${kind}`);
      expect(status, kind).toBe(400);
      expect(body.message).toMatch(/kind must be one of vnc, serial/);
    }
  });
});
