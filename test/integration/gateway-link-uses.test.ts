// A limited-use link keeps its promise: only a console that opens spends a
// use, a reconnect from the same browser or app session is the same use, and
// across gateway replicas exactly one session gets a single-use link.
import { randomBytes } from 'node:crypto';
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { buildGatewayLink } from '../../shared/links.ts';
import { openLinkConsole } from '../../main/services/consoles.ts';
import type { ConsoleChannel } from '../../main/services/console-channel.ts';
import { LinkSessions } from '../../main/services/link-sessions.ts';
import { counterName, sessionKey } from '../../gateway/use-counter.ts';
import { sessionHash } from '../../gateway/console-session.ts';
import { bearerSubprotocol, closed, openConsole, outsideHolder, type ConsoleAttempt } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { startReplica, type Replica } from '../support/gateway-replica.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** What one browser holds for the gateway: its cookies, as Set-Cookie left them. */
class Browser {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async follow(token: string, namespace: string, name: string, base = h.url): Promise<void> {
    const res = await fetch(`${base}/auth/jwt/set?token=${token}&name=${name}&namespace=${namespace}`, { redirect: 'manual', headers: { cookie: this.header() } });
    expect(res.status).toBe(302);
    for (const line of res.headers.getSetCookie()) {
      const cookie = parseSetCookie(line);
      if (cookie.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value ?? '');
    }
  }

  /** The console from the gateway's own viewer page: cookies and the gateway's Origin. */
  open(namespace: string, name: string, base = h.url, query = '?preserveSession=true'): Promise<ConsoleAttempt> {
    return openConsole(`${base.replace('http', 'ws')}/k8s${vncPath(namespace, name)}${query}`, { headers: { cookie: this.header(), origin: base } });
  }
}

/** The app's console connection: the token in the bearer subprotocol, its session id in a cookie. */
function appOpen(token: string, session: string | undefined, namespace: string, name: string, options: { base?: string; query?: string; origin?: string } = {}): Promise<ConsoleAttempt> {
  const base = options.base ?? h.url;
  return openConsole(`${base.replace('http', 'ws')}/k8s${vncPath(namespace, name)}${options.query ?? '?preserveSession=true'}`, {
    protocols: ['plain.kubevirt.io', bearerSubprotocol(token)],
    headers: { ...(session ? { cookie: `gatepass-session=${session}` } : {}), ...(options.origin ? { origin: options.origin } : {}) },
  });
}

const newSession = () => randomBytes(16).toString('base64url');

function counter(tokenId: string): { data?: Record<string, string>; metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined {
  return h.cluster.objects.get('ConfigMap', 'kube-gateway', counterName(tokenId)) as never;
}

async function free(namespace: string, name: string): Promise<void> {
  h.cluster.vnc.disconnect(namespace, name);
  await waitFor(() => h.cluster.vnc.builtinServer(namespace, name)?.connected !== true, `the console of ${namespace}/${name} to be free`);
}

async function openedAndClosed(attempt: Promise<ConsoleAttempt>): Promise<void> {
  const { data, ws, code, reason } = await attempt;
  expect({ code, reason }).toEqual({ code: undefined, reason: undefined });
  expect(data?.toString('latin1')).toBe('RFB 003.008\n');
  const end = closed(ws);
  ws.close();
  await end;
}

async function usedUp(attempt: Promise<ConsoleAttempt>): Promise<void> {
  const { code, reason } = await attempt;
  expect(code).toBe(4403);
  expect(reason).toMatch(/used up/);
}

describe('a refusal spends no use', () => {
  it('a single-use link refused with 4409 (someone outside the gateway is on the console) opens once the console is free', async () => {
    const holder = await outsideHolder(h, 'team-a', 'db-1');
    const browser = new Browser();
    await browser.follow(await h.consoleToken({ name: 'db-1', id: 'busy-once', restrictions: { maxUses: 1 } }), 'team-a', 'db-1');

    const refused = await browser.open('team-a', 'db-1');
    expect(refused.code).toBe(4409);
    expect(counter('busy-once')).toBeUndefined();

    holder.terminate();
    await free('team-a', 'db-1');
    await openedAndClosed(browser.open('team-a', 'db-1'));
    expect(counter('busy-once')?.data?.['uses']).toBe('1');
  });

  it('a single-use link refused with 4404 (the VM is not running) opens once the VM runs', async () => {
    const token = await h.consoleToken({ namespace: 'team-b', name: 'build-7', id: 'stopped-once', restrictions: { maxUses: 1 } });
    const session = newSession();
    const refused = await appOpen(token, session, 'team-b', 'build-7');
    expect(refused.code).toBe(4404);

    h.cluster.setVmRunning('team-b', 'build-7', true);
    try {
      await waitFor(() => h.cluster.objects.get('VirtualMachineInstance', 'team-b', 'build-7') !== undefined, 'the VMI to run');
      await openedAndClosed(appOpen(token, session, 'team-b', 'build-7'));
    } finally {
      h.cluster.setVmRunning('team-b', 'build-7', false);
    }
    expect(counter('stopped-once')?.data?.['uses']).toBe('1');
  });
});

describe('a reconnect from the same session is the same use', () => {
  it('a browser reconnects a single-use link as often as it likes; a second browser finds it used up', async () => {
    const token = await h.consoleToken({ name: 'db-1', id: 'browser-once', restrictions: { maxUses: 1 } });
    const first = new Browser();
    await first.follow(token, 'team-a', 'db-1');
    await free('team-a', 'db-1');
    await openedAndClosed(first.open('team-a', 'db-1'));
    await free('team-a', 'db-1');
    await openedAndClosed(first.open('team-a', 'db-1'));
    // Following the link again in the same browser keeps its session.
    await first.follow(token, 'team-a', 'db-1');
    await free('team-a', 'db-1');
    await openedAndClosed(first.open('team-a', 'db-1'));

    const second = new Browser();
    await second.follow(token, 'team-a', 'db-1');
    expect(second.get('gatepass-session')).not.toBe(first.get('gatepass-session'));
    await free('team-a', 'db-1');
    await usedUp(second.open('team-a', 'db-1'));

    const stored = counter('browser-once')!;
    expect(stored.data).toEqual({ uses: '1', [sessionKey(sessionHash(first.get('gatepass-session')!))]: expect.any(String) });
    expect(JSON.stringify(stored)).not.toContain(first.get('gatepass-session'));
    expect(stored.metadata.labels).toMatchObject({ 'gatepass.io/kind': 'use-counter' });
    expect(Date.parse(stored.metadata.annotations?.['gatepass.io/expires'] ?? '')).toBeGreaterThan(Date.now());
  });

  it('the app reconnects with its session id; another session, or none, finds the link used up', async () => {
    const token = await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } });
    const session = newSession();
    await free('team-a', 'db-1');
    await openedAndClosed(appOpen(token, session, 'team-a', 'db-1'));
    await free('team-a', 'db-1');
    await openedAndClosed(appOpen(token, session, 'team-a', 'db-1', { query: '' }));
    await free('team-a', 'db-1');
    await usedUp(appOpen(token, newSession(), 'team-a', 'db-1'));
    await usedUp(appOpen(token, undefined, 'team-a', 'db-1'));
  });

  it('a link with two uses gives two sessions one use each, and a third none', async () => {
    const token = await h.consoleToken({ name: 'db-1', id: 'twice', restrictions: { maxUses: 2 } });
    const [a, b] = [newSession(), newSession()];
    for (const session of [a, b, a, b]) {
      await free('team-a', 'db-1');
      await openedAndClosed(appOpen(token, session, 'team-a', 'db-1'));
    }
    await free('team-a', 'db-1');
    await usedUp(appOpen(token, newSession(), 'team-a', 'db-1'));
    expect(counter('twice')?.data?.['uses']).toBe('2');
  });
});

describe('the app', () => {
  /** The first bytes of an opened console, or how it closed. */
  const outcome = (channel: ConsoleChannel) => new Promise<{ data?: string; code?: number; reason?: string }>((resolve) => {
    channel.onData((chunk) => resolve({ data: Buffer.from(chunk).toString('latin1') }));
    channel.onClose((code, reason) => resolve({ code, reason }));
  });

  it.each(['fragment', 'query'] as const)('reopens a %s-form single-use link as the same use; another app session finds it used up', async (form) => {
    const link = buildGatewayLink({ gateway: h.url, form, token: await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } }), name: 'db-1', namespace: 'team-a' });
    const sessions = new LinkSessions(Date.now);
    for (let i = 0; i < 2; i++) {
      await free('team-a', 'db-1');
      const { channel } = await openLinkConsole(link, false, { env: {}, now: Date.now, sessions });
      expect(await outcome(channel)).toEqual({ data: 'RFB 003.008\n' });
      channel.close();
    }
    await free('team-a', 'db-1');
    const { channel } = await openLinkConsole(link, false, { env: {}, now: Date.now, sessions: new LinkSessions(Date.now) });
    expect(await outcome(channel)).toEqual({ code: 4403, reason: expect.stringMatching(/used up/) });
  });
});

describe('a session id cannot be borrowed', () => {
  it('a page on another origin does not count as the session whose cookie its browser sends', async () => {
    const token = await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } });
    const session = newSession();
    await free('team-a', 'db-1');
    await openedAndClosed(appOpen(token, session, 'team-a', 'db-1'));
    await free('team-a', 'db-1');
    await usedUp(appOpen(token, session, 'team-a', 'db-1', { origin: 'https://evil.example' }));
  });

  it('a malformed session id is no session: every open with it counts', async () => {
    for (const bad of ['short', 'x'.repeat(65), 'has spaces but is long enough']) {
      const token = await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } });
      await free('team-a', 'db-1');
      await openedAndClosed(appOpen(token, bad, 'team-a', 'db-1'));
      await free('team-a', 'db-1');
      await usedUp(appOpen(token, bad, 'team-a', 'db-1'));
    }
  });
});

describe('a use that cannot be counted is not given', () => {
  const configMaps = '/api/v1/namespaces/kube-gateway/configmaps';

  it('refuses before the console opens when the counter cannot be read', async () => {
    const token = await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } });
    await free('team-a', 'db-1');
    h.cluster.faults.add({ method: 'GET', path: configMaps, status: 500, times: 1 });
    const before = h.upstream.length;
    const attempt = await appOpen(token, newSession(), 'team-a', 'db-1');
    expect(attempt.code).toBe(1011);
    expect(attempt.reason).toMatch(/use count/);
    expect(h.upstream.slice(before).filter((line) => line.includes('/vnc'))).toEqual([]);
  });

  it('closes a console that opened when its use cannot be recorded, and lets the session try again', async () => {
    const token = await h.consoleToken({ name: 'db-1', id: 'unrecorded', restrictions: { maxUses: 1 } });
    const session = newSession();
    await free('team-a', 'db-1');
    h.cluster.faults.add({ method: 'POST', path: configMaps, status: 500, times: 1 });
    const attempt = await appOpen(token, session, 'team-a', 'db-1');
    const end = attempt.code === undefined ? await closed(attempt.ws) : { code: attempt.code, reason: attempt.reason };
    expect(end.code).toBe(1011);
    expect(end.reason).toMatch(/use count/);
    expect(counter('unrecorded')).toBeUndefined();
    await free('team-a', 'db-1');
    await openedAndClosed(appOpen(token, session, 'team-a', 'db-1'));
  });
});

describe('two gateway replicas', () => {
  let replica: Replica;
  beforeAll(async () => {
    replica = await startReplica(h);
  });
  afterAll(async () => {
    await replica?.gateway.shutdown();
  });

  it('give a single-use link to exactly one session, even when both consoles open at once', async () => {
    const token = await h.consoleToken({ name: 'db-1', id: 'raced-once', restrictions: { maxUses: 1 } });
    const [one, two] = [newSession(), newSession()];
    await free('team-a', 'db-1');
    const logsBefore = { h: h.logs.length, replica: replica.logs.length };
    // Both upstream consoles take a while to open, so both replicas have checked the counter before either counts.
    h.cluster.faults.add({ path: vncPath('team-a', 'db-1'), latencyMs: 400, times: 2 });
    const race = await Promise.all([
      appOpen(token, one, 'team-a', 'db-1', { query: '' }),
      appOpen(token, two, 'team-a', 'db-1', { base: replica.url, query: '' }),
    ]);
    await Promise.all(race.map((attempt) => (attempt.ws.readyState === attempt.ws.CLOSED ? undefined : (attempt.ws.close(), closed(attempt.ws)))));
    // The session that lost is refused before a byte of the VM's console reaches it.
    expect(race.filter((attempt) => attempt.code === 4403 && attempt.data === undefined)).toHaveLength(1);

    const stored = counter('raced-once')!;
    expect(stored.data?.['uses']).toBe('1');
    const counted = [one, two].filter((s) => stored.data?.[sessionKey(sessionHash(s))] !== undefined);
    expect(counted).toHaveLength(1);
    const opened = [...h.logs.slice(logsBefore.h), ...replica.logs.slice(logsBefore.replica)]
      .map((line) => JSON.parse(line) as { route?: string; status?: number })
      .filter((line) => line.route === 'console' && line.status === 101);
    // The winner may lose its upstream to the loser's take-over (each replica opens its own until
    // viewers are forwarded to the Lease holder), but it is never answered for the loser's use.
    expect(opened.length).toBeLessThanOrEqual(1);

    // Afterwards the winner reconnects through either replica, and the other session never gets in.
    const winner = counted[0]!;
    const loser = winner === one ? two : one;
    for (const base of [h.url, replica.url]) {
      await free('team-a', 'db-1');
      await openedAndClosed(appOpen(token, winner, 'team-a', 'db-1', { base }));
      await free('team-a', 'db-1');
      await usedUp(appOpen(token, loser, 'team-a', 'db-1', { base }));
    }
  });
});
