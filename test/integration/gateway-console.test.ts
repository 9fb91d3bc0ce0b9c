// Console websockets through the gateway to the stand-in's KubeVirt VNC
// subresource and its built-in RFB server: what a person sees when a console
// opens, is refused, is taken over, expires or is view-only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { encodeClientHandshake, encodeKeyEvent, encodePointerEvent } from '../../shared/node/rfb.ts';
import { bearerSubprotocol, closed, openConsole } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const wsUrl = (namespace: string, name: string, query = '') => `${h.url.replace('http', 'ws')}/k8s${vncPath(namespace, name)}${query}`;

async function connect(token: string, namespace = 'team-a', name = 'web-1', query = '') {
  return openConsole(wsUrl(namespace, name, query), { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
}

/** Completes the RFB handshake (version, security None, shared) after the server's version arrived. */
function handshake(ws: WebSocket): void {
  ws.send(encodeClientHandshake(true));
}

describe('console refusals a person can read', () => {
  it('closes with 4401 when there is no valid link', async () => {
    const attempt = await openConsole(wsUrl('team-a', 'web-1'));
    expect(attempt.code).toBe(4401);
    expect(attempt.reason).toMatch(/token|link/);
  });

  it('closes with 4410 when the link has expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await h.sign({ URLs: [vncPath('team-a', 'web-1')], verbs: ['get'], nbf: now - 7200, exp: now - 3600, id: 'old' });
    expect((await connect(token)).code).toBe(4410);
  });

  it('closes with 4403 when the link is for another VM', async () => {
    const token = await h.consoleToken({ name: 'db-1' });
    expect((await connect(token)).code).toBe(4403);
  });

  it('closes with 4404 when the VM is not running', async () => {
    const token = await h.consoleToken({ namespace: 'team-b', name: 'build-7' });
    const attempt = await connect(token, 'team-b', 'build-7');
    expect(attempt.code).toBe(4404);
    expect(attempt.reason).toMatch(/not running/);
  });

  it('lets a second viewer that asked to preserve the console join it, and tells both who took it over when a third did not ask', async () => {
    const token = await h.consoleToken({ name: 'db-1' });
    const first = await connect(token, 'team-a', 'db-1');
    expect(first.data?.toString('latin1')).toBe('RFB 003.008\n');
    const second = await connect(token, 'team-a', 'db-1', '?preserveSession=true');
    expect(second.data?.toString('latin1')).toBe('RFB 003.008\n');

    // "Take over" is the explicit choice: without preserveSession the others are told why they lost the console.
    const firstClosed = closed(first.ws);
    const secondClosed = closed(second.ws);
    const third = await connect(token, 'team-a', 'db-1');
    expect(third.data?.toString('latin1')).toBe('RFB 003.008\n');
    expect(await firstClosed).toEqual({ code: 4409, reason: 'someone took over this console' });
    expect(await secondClosed).toEqual({ code: 4409, reason: 'someone took over this console' });
    third.ws.close();
  });
});

describe('a live console', () => {
  it('relays typed keys to the VM', async () => {
    const token = await h.consoleToken({ namespace: 'kube-gateway', name: 'testvm' });
    const { ws, data } = await connect(token, 'kube-gateway', 'testvm');
    expect(data).toBeDefined();
    handshake(ws);
    ws.send(Buffer.concat([encodeKeyEvent(true, 0x61), encodeKeyEvent(false, 0x61)]));
    const server = () => h.cluster.vnc.builtinServer('kube-gateway', 'testvm');
    await waitFor(() => (server()?.events.filter((e) => e.type === 'key').length ?? 0) >= 2, 'the key to reach the VM');
    expect(server()?.events.at(-2)).toMatchObject({ type: 'key', down: true, keysym: 0x61 });
    ws.close();
  });

  it('drops input on a view-only link but still draws the screen', async () => {
    const token = await h.consoleToken({ namespace: 'team-a', name: 'web-1', restrictions: { viewOnly: true } });
    const { ws } = await connect(token);
    const frames: Buffer[] = [];
    ws.on('message', (d) => frames.push(d as Buffer));
    handshake(ws);
    const server = h.cluster.vnc.builtinServer('team-a', 'web-1');
    const before = server?.events.length ?? 0;
    ws.send(Buffer.concat([encodeKeyEvent(true, 0x62), encodePointerEvent(1, 10, 10)]));
    // A FramebufferUpdateRequest passes, so the picture keeps coming.
    ws.send(Buffer.from([3, 0, 0, 0, 0, 0, 0, 16, 0, 16]));
    await waitFor(() => frames.length > 1, 'a framebuffer update');
    expect((server?.events.length ?? 0) - before).toBe(0);
    ws.close();
  });

  it('closes a view-only console that sends a message it does not know', async () => {
    const token = await h.consoleToken({ restrictions: { viewOnly: true } });
    const { ws } = await connect(token);
    handshake(ws);
    const end = closed(ws);
    ws.send(Buffer.from([99, 1, 2, 3]));
    expect((await end).code).toBe(4403);
  });

  it('closes with 4410 when the link expires while the console is open', async () => {
    const token = await h.consoleToken({ name: 'web-1', duration: '2s' });
    const { ws, data } = await connect(token);
    expect(data).toBeDefined();
    const { code, reason } = await closed(ws);
    expect(code).toBe(4410);
    expect(reason).toMatch(/expired/);
  }, 10_000);

  it('counts the open console in its metrics and logs one line for it without the token', async () => {
    const token = await h.consoleToken();
    const { ws } = await connect(token);
    const end = closed(ws);
    ws.close();
    await end;
    await waitFor(() => h.logs.some((l) => l.includes('"console-end"')), 'the console log line');
    const line = JSON.parse(h.logs.findLast((l) => l.includes('"console-end"'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ route: 'console-end', by: 'client', via: 'subprotocol' });
    expect(line.bytesOut).toBeGreaterThanOrEqual(12);
    expect(typeof line.tokenId).toBe('string');
    expect(h.logs.join('\n')).not.toContain(token.split('.')[2]!);
  });
});

describe('clients of every kind', () => {
  it.each([
    ['no subprotocol (kube-gateway’s own vnc_lite.html)', undefined, ''],
    ['binary', ['binary'], 'binary'],
  ])('serves a client offering %s', async (_name, protocols, echoed) => {
    const token = await h.consoleToken();
    const attempt = await openConsole(`${h.url.replace('http', 'ws')}/k8s${vncPath('team-a', 'web-1')}`, { protocols: protocols ?? [], headers: { authorization: `Bearer ${token}` } });
    expect(attempt.data?.toString('latin1')).toBe('RFB 003.008\n');
    expect(attempt.ws.protocol).toBe(echoed);
    const end = closed(attempt.ws);
    attempt.ws.close();
    await end;
  });
});
