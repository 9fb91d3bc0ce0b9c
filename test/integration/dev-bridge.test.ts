import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConsoleChannel } from '../../main/desktop-api-impl.ts';
import { startDevBridge } from '../../main/dev-bridge/server.ts';
import type { DevBridge } from '../../main/dev-bridge/server.ts';
import { fakeDesktopApi } from '../support/fake-desktop-api.ts';

const api = fakeDesktopApi();
const staticDir = mkdtempSync(join(tmpdir(), 'gatepass-bridge-static-'));
let bridge: DevBridge;

beforeAll(async () => {
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  bridge = await startDevBridge({ api, staticDir });
});
afterAll(async () => {
  await bridge.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const origin = () => `http://127.0.0.1:${bridge.port}`;
const wsUrl = (path: string, token = bridge.token) => `ws://127.0.0.1:${bridge.port}${path}?token=${encodeURIComponent(token)}`;

/** Opens a websocket; resolves with it once open, or with the HTTP status it was refused with. */
function connect(url: string, headers: Record<string, string> = { Origin: origin() }): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
}

describe('development bridge', () => {
  it('prints a loopback URL carrying its token in the fragment and serves the app', async () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/#bridge=${bridge.token}`);
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await fetch(`${origin()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<title>app</title>');
    expect((await fetch(`${origin()}/..%2f..%2fetc%2fpasswd`)).status).not.toBe(200);
  });

  it('answers a malformed path with 400 and stays up (any web page can make the browser ask)', async () => {
    const res = await fetch(`http://127.0.0.1:${bridge.port}/%`);
    expect(res.status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${bridge.port}/`)).status).toBe(200);
  });

  it('refuses a wrong or missing token', async () => {
    expect((await connect(wsUrl('/rpc', 'x'.repeat(43)))).status).toBe(401);
    expect((await connect(`ws://127.0.0.1:${bridge.port}/rpc`)).status).toBe(401);
  });

  it('refuses a foreign or missing Origin, even with the right token', async () => {
    expect((await connect(wsUrl('/rpc'), { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await connect(wsUrl('/rpc'), { Origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await connect(wsUrl('/rpc'), {})).status).toBe(403);
  });

  it('refuses a rebound Host', async () => {
    expect((await connect(wsUrl('/rpc'), { Origin: origin(), Host: 'evil.example' })).status).toBe(421);
  });

  it('carries calls, results, DesktopErrors and events', async () => {
    const { ws } = await connect(wsUrl('/rpc'));
    api.answers.selectContext = (name) => [{ name, current: true }];
    api.answers.revokeLink = () => { throw { code: 'gateway', message: 'this gateway cannot revoke' }; };
    ws!.send(JSON.stringify({ id: 1, method: 'selectContext', params: ['operator'] }));
    expect(await nextMessage(ws!)).toEqual({ id: 1, result: [{ name: 'operator', current: true }] });
    expect(api.calls.at(-1)).toEqual({ method: 'selectContext', args: ['operator'] });
    ws!.send(JSON.stringify({ id: 2, method: 'revokeLink', params: ['x'] }));
    expect(await nextMessage(ws!)).toEqual({ id: 2, error: { code: 'gateway', message: 'this gateway cannot revoke' } });
    ws!.send(JSON.stringify({ id: 3, method: 'takeConsoleChannel', params: ['x'] }));
    expect(await nextMessage(ws!)).toMatchObject({ id: 3, error: { code: 'invalid-input' } });
    const event = nextMessage(ws!);
    api.emit({ kind: 'deep-link', link: 'gatepass://open?link=AbC' });
    expect(await event).toEqual({ event: { kind: 'deep-link', link: 'gatepass://open?link=AbC' } });
    ws!.close();
  });

  it('relays a console: opened when main is, bytes both ways, close code and reason', async () => {
    const fromPage: number[][] = [];
    const cb: { open?: (p: string) => void; data?: (c: Uint8Array) => void; close?: (code: number, reason: string) => void } = {};
    const channel: ConsoleChannel = {
      onOpen: (f) => { cb.open = f; },
      onData: (f) => { cb.data = f; },
      onClose: (f) => { cb.close = f; },
      send: (chunk) => fromPage.push([...chunk]),
      close: () => undefined,
    };
    api.channels.set('c-1', channel);
    expect((await connect(wsUrl('/console/unknown'))).status).toBe(404);
    const opening = connect(wsUrl('/console/c-1'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    cb.open!('plain.kubevirt.io');
    const { ws } = await opening;
    const got = new Promise<Buffer>((resolve) => ws!.once('message', (data) => resolve(data as Buffer)));
    cb.data!(new Uint8Array([82, 70, 66]));
    expect([...(await got)]).toEqual([82, 70, 66]);
    ws!.send(new Uint8Array([1, 2, 3]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fromPage).toEqual([[1, 2, 3]]);
    const closed = new Promise<[number, string]>((resolve) => ws!.once('close', (code, reason) => resolve([code, reason.toString()])));
    cb.close!(4410, 'link expired');
    expect(await closed).toEqual([4410, 'link expired']);
  });

  it('shows a console that ended before opening as a close with its code', async () => {
    const cb: { close?: (code: number, reason: string) => void } = {};
    api.channels.set('c-2', { onOpen: () => undefined, onData: () => undefined, onClose: (f) => { cb.close = f; }, send: () => undefined, close: () => undefined });
    const opening = connect(wsUrl('/console/c-2'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    cb.close!(4409, 'console in use');
    const { ws } = await opening;
    const [code, reason] = await new Promise<[number, string]>((resolve) => ws!.once('close', (c, r) => resolve([c, r.toString()])));
    expect([code, reason]).toEqual([4409, 'console in use']);
  });
});

describe('dev-browser command', () => {
  it('starts the real main services behind the bridge and prints exactly one ready line', async () => {
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'gatepass-dev-browser-test-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: lab',
      'clusters: [{name: lab, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: me, user: {token: abc}}]',
      'contexts: [{name: lab, context: {cluster: lab, user: me, namespace: demo}}]', '',
    ].join('\n'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev-browser.ts', '--kubeconfig', kubeconfig, '--static', staticDir, '--profile', join(dir, 'profile')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
        });
        child.once('exit', (code) => reject(new Error(`dev-browser exited with ${code}`)));
      });
      const ready = JSON.parse(line) as { ready: boolean; url: string };
      expect(ready.ready).toBe(true);
      const url = new URL(ready.url);
      expect(url.hostname).toBe('127.0.0.1');
      const token = new URLSearchParams(url.hash.slice(1)).get('bridge')!;
      const { ws } = await connect(`ws://${url.host}/rpc?token=${token}`, { Origin: url.origin });
      const replied = new Promise<{ id: number; result: Array<{ name: string; namespace?: string }> }>((resolve) => {
        ws!.on('message', (data) => {
          const frame = JSON.parse(data.toString());
          if (frame.id === 1) resolve(frame);
        });
      });
      ws!.send(JSON.stringify({ id: 1, method: 'listContexts', params: [] }));
      const reply = await replied;
      expect(reply.result.map((c) => [c.name, c.namespace])).toEqual([['lab', 'demo']]);
      ws!.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
