import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { relayConsole, type RelayOptions } from './console-relay.ts';

/**
 * Two real websocket pairs: the viewer talks to the relay's client side, and
 * the relay's server side talks to a "VM console".
 */
async function pair(): Promise<{ near: WebSocket; far: WebSocket; close(): void }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const near = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((resolve) => near.once('open', resolve));
  return { near, far: await accepted, close: () => wss.close() };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function setup(options: Partial<RelayOptions> = {}) {
  const viewer = await pair();
  const vm = await pair();
  cleanups.push(viewer.close, vm.close, () => viewer.near.terminate(), () => vm.far.terminate());
  // viewer.near = the person's browser; viewer.far = the relay's client side;
  // vm.near = the relay's server side; vm.far = the VM console.
  const relay = relayConsole(viewer.far, vm.near, { pingMs: 60_000, ...options });
  return { browser: viewer.near, console: vm.far, relay };
}

const next = (ws: WebSocket) => new Promise<Buffer>((resolve) => ws.once('message', (data) => resolve(data as Buffer)));
const closed = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

describe('relayConsole', () => {
  it('carries binary frames both ways and drops text frames', async () => {
    const { browser, console: vm } = await setup();
    const atVm = next(vm);
    browser.send('ignored text');
    browser.send(Buffer.from('key'));
    expect((await atVm).toString()).toBe('key');
    const atBrowser = next(browser);
    vm.send(Buffer.from('pixels'));
    expect((await atBrowser).toString()).toBe('pixels');
  });

  it('closes both sides with 4410 when the link expires', async () => {
    const { browser, console: vm, relay } = await setup({ expiresAt: Date.now() + 100 });
    const vmClosed = closed(vm);
    expect(await closed(browser)).toEqual({ code: 4410, reason: 'the link expired' });
    await vmClosed;
    expect((await relay.ended).by).toBe('expired');
  });

  it('closes with 4403 when the client filter refuses a chunk', async () => {
    const { browser } = await setup({ filterClient: (chunk) => (chunk[0] === 0xff ? new Error('not allowed') : chunk) });
    const end = closed(browser);
    browser.send(Buffer.from([0xff]));
    expect(await end).toEqual({ code: 4403, reason: 'not allowed' });
  });

  it('pauses the console while a slow viewer has megabytes unread, and resumes it', async () => {
    const { browser, console: vm } = await setup();
    // The viewer stops reading; the console keeps sending.
    browser.pause();
    const frame = Buffer.alloc(256 * 1024, 7);
    let relayPaused = false;
    for (let i = 0; i < 200 && !relayPaused; i++) {
      vm.send(frame);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // The console's own socket backs up once the relay stops reading from it.
      relayPaused = vm.bufferedAmount > 8 * 1024 * 1024;
    }
    expect(relayPaused).toBe(true);
    let received = 0;
    browser.on('message', (data) => (received += (data as Buffer).length));
    browser.resume();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received).toBeGreaterThan(4 * 1024 * 1024);
  });
});
