import { describe, expect, it } from 'vitest';
import { ABNORMAL_CLOSURE, CLOSED, CLOSING, CONNECTING, OPEN, PortChannel } from './port-channel.ts';
import type { PortLike } from './port-channel.ts';

class FakePort implements PortLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  sent: Array<{ message: unknown; transfer?: Transferable[] }> = [];
  closed = false;
  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.sent.push({ message, ...(transfer ? { transfer } : {}) });
  }
  close(): void {
    this.closed = true;
  }
  fromMain(data: unknown): void {
    this.onmessage?.({ data });
  }
}

function recorder(channel: PortChannel) {
  const seen: string[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const messages: ArrayBuffer[] = [];
  channel.onopen = () => seen.push('open');
  channel.onerror = () => seen.push('error');
  channel.onmessage = (event) => {
    seen.push('message');
    messages.push(event.data as ArrayBuffer);
  };
  channel.onclose = (event) => {
    seen.push('close');
    closes.push({ code: event.code, reason: event.reason });
  };
  return { seen, closes, messages };
}

describe('PortChannel', () => {
  it('looks like a connecting binary WebSocket until main says open', () => {
    const channel = new PortChannel();
    const port = new FakePort();
    const events = recorder(channel);
    channel.attach(port);
    expect(channel.readyState).toBe(CONNECTING);
    expect(channel.binaryType).toBe('arraybuffer');
    expect(() => channel.send(new Uint8Array([1]))).toThrow(/still connecting/);
    port.fromMain({ type: 'open', protocol: 'plain.kubevirt.io' });
    expect(channel.readyState).toBe(OPEN);
    expect(channel.protocol).toBe('plain.kubevirt.io');
    expect(events.seen).toEqual(['open']);
  });

  it('passes bytes both ways as transferred ArrayBuffers', () => {
    const channel = new PortChannel();
    const port = new FakePort();
    const events = recorder(channel);
    channel.attach(port);
    port.fromMain({ type: 'open', protocol: '' });
    const incoming = new Uint8Array([82, 70, 66]).buffer;
    port.fromMain({ type: 'data', data: incoming });
    expect(new Uint8Array(events.messages[0]!)).toEqual(new Uint8Array([82, 70, 66]));

    const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
    channel.send(view);
    const sent = port.sent[0]!;
    expect(sent.message).toMatchObject({ type: 'data' });
    const buffer = (sent.message as { data: ArrayBuffer }).data;
    expect(new Uint8Array(buffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(sent.transfer).toEqual([buffer]);
  });

  it('delivers text from main as a string message, as a WebSocket delivers a text frame, and never before open', () => {
    const channel = new PortChannel();
    const port = new FakePort();
    const events = recorder(channel);
    channel.attach(port);
    port.fromMain({ type: 'text', text: 'early' });
    port.fromMain({ type: 'open', protocol: '' });
    port.fromMain({ type: 'text', text: '{"gatepass":"presence"}' });
    port.fromMain({ type: 'text', text: 42 });
    expect(events.messages).toEqual(['{"gatepass":"presence"}']);
  });

  it('reports the close code and reason main relays', () => {
    const channel = new PortChannel();
    const port = new FakePort();
    const events = recorder(channel);
    channel.attach(port);
    port.fromMain({ type: 'open', protocol: '' });
    port.fromMain({ type: 'close', code: 4410, reason: 'link expired' });
    expect(channel.readyState).toBe(CLOSED);
    expect(events.closes).toEqual([{ code: 4410, reason: 'link expired' }]);
    expect(port.closed).toBe(true);
    port.fromMain({ type: 'data', data: new ArrayBuffer(1) });
    expect(events.seen).toEqual(['open', 'close']);
  });

  it('asks main to close and waits for its answer', () => {
    const channel = new PortChannel();
    const port = new FakePort();
    const events = recorder(channel);
    channel.attach(port);
    port.fromMain({ type: 'open', protocol: '' });
    channel.close(1000, 'bye');
    expect(channel.readyState).toBe(CLOSING);
    expect(port.sent.at(-1)?.message).toEqual({ type: 'close', code: 1000, reason: 'bye' });
    channel.send(new Uint8Array([1]));
    expect(port.sent).toHaveLength(1);
    port.fromMain({ type: 'close', code: 1000, reason: 'bye' });
    expect(events.closes).toEqual([{ code: 1000, reason: 'bye' }]);
  });

  it('ignores data before open and malformed messages', () => {
    const channel = new PortChannel();
    const port = new FakePort();
    const events = recorder(channel);
    channel.attach(port);
    port.fromMain({ type: 'data', data: new ArrayBuffer(2) });
    port.fromMain(null);
    port.fromMain('open');
    expect(events.seen).toEqual([]);
    expect(channel.readyState).toBe(CONNECTING);
  });

  it('fails like a WebSocket whose connection never came', () => {
    const channel = new PortChannel();
    const events = recorder(channel);
    channel.fail('the console channel did not arrive');
    expect(events.seen).toEqual(['error', 'close']);
    expect(events.closes).toEqual([{ code: ABNORMAL_CLOSURE, reason: 'the console channel did not arrive' }]);
  });

  it('closed before its port arrives: tells main to end the console', () => {
    const channel = new PortChannel();
    const events = recorder(channel);
    channel.close();
    expect(events.seen).toEqual(['close']);
    const port = new FakePort();
    channel.attach(port);
    expect(port.sent.map((s) => s.message)).toEqual([{ type: 'close' }]);
    expect(port.closed).toBe(true);
  });

  it('takes one port only', () => {
    const channel = new PortChannel();
    channel.attach(new FakePort());
    expect(() => channel.attach(new FakePort())).toThrow(/exactly one port/);
  });
});
