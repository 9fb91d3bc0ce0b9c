import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { websocketChannel } from '../bench/lib/byte-channel.ts';

let server: WebSocketServer | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A websocket server that speaks (and, with `close`, hangs up) the moment it accepts, as a gateway answering RFB itself does. */
async function eagerServer(close: boolean): Promise<string> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (ws) => {
    ws.send(Buffer.from('RFB 003.008\n', 'latin1'));
    if (close) ws.close(4409, 'someone else is using this console');
  });
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('bench byte channels', () => {
  it('hands a listener set late the bytes that came right behind the 101', async () => {
    const channel = await websocketChannel(await eagerServer(false), { protocols: ['binary'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const chunks: string[] = [];
    channel.onData((chunk) => chunks.push(chunk.toString('latin1')));
    expect(chunks).toEqual(['RFB 003.008\n']);
    channel.close();
  });

  it('tells a close listener set late why the channel had already ended', async () => {
    const channel = await websocketChannel(await eagerServer(true), { protocols: ['binary'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const why = await new Promise<string>((resolve) => channel.onClose(resolve));
    expect(why).toBe('closed with 4409 someone else is using this console');
  });
});
