import { describe, expect, it } from 'vitest';
import { TappedChannel } from './channel.ts';
import type { ChannelClose, WebSocketLike } from './channel.ts';

function fakeSocket() {
  const sent: unknown[] = [];
  const closes: Array<[number | undefined, string | undefined]> = [];
  const socket: WebSocketLike = {
    binaryType: 'blob',
    protocol: 'plain.kubevirt.io',
    readyState: 0,
    onopen: null,
    onmessage: null,
    onerror: null,
    onclose: null,
    send: (data) => sent.push(data),
    close: (code, reason) => closes.push([code, reason]),
  };
  return { socket, sent, closes };
}

const closeEvent = (code: number, reason: string) => ({ code, reason }) as CloseEvent;

describe('TappedChannel', () => {
  it('reports the close code before the consumer hears of it, once', () => {
    const { socket } = fakeSocket();
    const order: string[] = [];
    const seen: ChannelClose[] = [];
    const tapped = new TappedChannel(socket, (close) => {
      seen.push(close);
      order.push('tap');
    });
    tapped.onclose = () => order.push('consumer');
    socket.onclose?.(closeEvent(4409, 'in use'));
    socket.onclose?.(closeEvent(1000, ''));
    expect(seen).toEqual([{ code: 4409, reason: 'in use' }]);
    expect(order).toEqual(['tap', 'consumer', 'consumer']);
  });

  it('passes handlers, properties and calls through to the inner channel', () => {
    const { socket, sent, closes } = fakeSocket();
    const tapped = new TappedChannel(socket, () => undefined);
    const onmessage = () => undefined;
    tapped.onmessage = onmessage;
    tapped.binaryType = 'arraybuffer';
    tapped.send(new Uint8Array([1]));
    tapped.close(1000, 'bye');
    expect(tapped.onmessage).toBe(onmessage);
    expect(socket.binaryType).toBe('arraybuffer');
    expect(tapped.protocol).toBe('plain.kubevirt.io');
    expect(sent).toHaveLength(1);
    expect(closes).toEqual([[1000, 'bye']]);
  });

  it('shows noVNC every property it checks for on its prototype', () => {
    // noVNC's websock.js refuses a channel missing any of these names.
    const { socket } = fakeSocket();
    const tapped = new TappedChannel(socket, () => undefined);
    const names = [...Object.keys(tapped), ...Object.getOwnPropertyNames(Object.getPrototypeOf(tapped))];
    for (const prop of ['send', 'close', 'binaryType', 'onerror', 'onmessage', 'onopen', 'protocol', 'readyState']) {
      expect(names).toContain(prop);
    }
  });

  it('hands text frames to the text handler and never to the screen, binary frames only to the screen', () => {
    const { socket } = fakeSocket();
    const texts: string[] = [];
    const screen: unknown[] = [];
    const tapped = new TappedChannel(socket, () => undefined, (text) => texts.push(text));
    tapped.onmessage = (event) => screen.push(event.data);
    const bytes = new Uint8Array([82, 70, 66]).buffer;
    socket.onmessage?.({ data: '{"gatepass":"presence"}' } as MessageEvent);
    socket.onmessage?.({ data: bytes } as MessageEvent);
    expect(texts).toEqual(['{"gatepass":"presence"}']);
    expect(screen).toEqual([bytes]);
  });

  it('drops text frames when nobody asked for them', () => {
    const { socket } = fakeSocket();
    const screen: unknown[] = [];
    const tapped = new TappedChannel(socket, () => undefined);
    tapped.onmessage = (event) => screen.push(event.data);
    socket.onmessage?.({ data: 'hello' } as MessageEvent);
    expect(screen).toEqual([]);
  });
});
