import { describe, expect, it } from 'vitest';
import type { WebSocketLike } from '../../viewer/channel.ts';
import { closeOutcome } from '../../viewer/console-state.ts';
import { closeForOpenError, DeferredChannel, OPEN_FAILED_CODE } from './deferred-channel.ts';

class FakeChannel implements WebSocketLike {
  binaryType = 'blob';
  protocol = 'plain.kubevirt.io';
  readyState: number | string = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  sent: Array<ArrayBuffer | ArrayBufferView> = [];
  closedWith: Array<[number | undefined, string | undefined]> = [];
  send(data: ArrayBuffer | ArrayBufferView): void { this.sent.push(data); }
  close(code?: number, reason?: string): void { this.closedWith.push([code, reason]); }
  fireOpen(): void { this.readyState = 1; this.onopen?.(new Event('open')); }
  fireClose(code: number, reason: string): void { this.readyState = 3; this.onclose?.({ code, reason } as CloseEvent); }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function record(channel: DeferredChannel) {
  const events: string[] = [];
  channel.onopen = () => events.push('open');
  channel.onmessage = (event) => events.push(`message:${String(event.data)}`);
  channel.onclose = (event) => events.push(`close:${event.code}:${event.reason}`);
  return events;
}

describe('DeferredChannel', () => {
  it('reports CONNECTING until the real channel opens, then passes everything through', async () => {
    const opening = deferred<WebSocketLike>();
    const channel = new DeferredChannel(opening.promise);
    const events = record(channel);
    channel.binaryType = 'arraybuffer';
    expect(channel.readyState).toBe(0);
    expect(() => channel.send(new Uint8Array([1]))).toThrow(/not open yet/);

    const inner = new FakeChannel();
    opening.resolve(inner);
    await settle();
    expect(inner.binaryType).toBe('arraybuffer');
    expect(channel.readyState).toBe(0);
    inner.fireOpen();
    expect(channel.readyState).toBe(1);
    expect(channel.protocol).toBe('plain.kubevirt.io');

    inner.onmessage?.({ data: 'RFB 003.008' } as MessageEvent);
    const bytes = new Uint8Array([7, 8]);
    channel.send(bytes);
    expect(inner.sent).toEqual([bytes]);

    inner.fireClose(4410, 'link expired');
    expect(channel.readyState).toBe(3);
    expect(events).toEqual(['open', 'message:RFB 003.008', 'close:4410:link expired']);
  });

  it('opens at once when the real channel is already open', async () => {
    const inner = new FakeChannel();
    inner.readyState = 'open';
    const channel = new DeferredChannel(Promise.resolve(inner));
    const events = record(channel);
    await settle();
    expect(events).toEqual(['open']);
    expect(channel.readyState).toBe(1);
  });

  it('closes with a code the viewer understands when the console cannot be opened', async () => {
    const channel = new DeferredChannel(Promise.reject({ code: 'forbidden', message: 'the link does not allow this VM' }));
    const events = record(channel);
    await settle();
    expect(events).toEqual(['close:4403:the link does not allow this VM']);
    expect(channel.readyState).toBe(3);
  });

  it('closes the real channel unused when closed before it arrived', async () => {
    const opening = deferred<WebSocketLike>();
    const channel = new DeferredChannel(opening.promise);
    const events = record(channel);
    channel.close();
    await settle();
    expect(events).toEqual(['close:1000:']);
    const inner = new FakeChannel();
    opening.resolve(inner);
    await settle();
    expect(inner.closedWith).toHaveLength(1);
    expect(events).toHaveLength(1);
  });

  it('hands a close to the real channel once attached, and reports its close once', async () => {
    const inner = new FakeChannel();
    const channel = new DeferredChannel(Promise.resolve(inner));
    const events = record(channel);
    await settle();
    inner.fireOpen();
    channel.close(1000, 'bye');
    expect(channel.readyState).toBe(2);
    expect(inner.closedWith).toEqual([[1000, 'bye']]);
    channel.close();
    expect(inner.closedWith).toHaveLength(1);
    inner.fireClose(1000, 'bye');
    inner.fireClose(1000, 'again');
    expect(events).toEqual(['open', 'close:1000:bye']);
  });

  it('treats a real channel that is already closed as a dropped connection', async () => {
    const inner = new FakeChannel();
    inner.readyState = 3;
    const channel = new DeferredChannel(Promise.resolve(inner));
    const events = record(channel);
    await settle();
    expect(events).toEqual(['close:1006:the console channel closed before it opened']);
  });
});

describe('closeForOpenError', () => {
  it('maps desktop errors onto the console states the viewer explains', () => {
    expect(closeOutcome(closeForOpenError({ code: 'forbidden', message: 'no' }).code).kind).toBe('forbidden');
    expect(closeOutcome(closeForOpenError({ code: 'unauthorized', message: 'bad signature' }).code).kind).toBe('no-link');
    expect(closeOutcome(closeForOpenError({ code: 'unreachable', message: 'ECONNREFUSED' }).code)).toEqual({ kind: 'retry', cause: 'unreachable' });
    const other = closeForOpenError({ code: 'invalid-input', message: 'not a Gatepass link' });
    expect(other).toEqual({ code: OPEN_FAILED_CODE, reason: 'not a Gatepass link' });
    expect(closeOutcome(other.code).kind).toBe('disconnected');
  });

  it('keeps the message of an unexpected error', () => {
    expect(closeForOpenError(new Error('boom'))).toEqual({ code: OPEN_FAILED_CODE, reason: 'Could not open the console: boom' });
  });
});
