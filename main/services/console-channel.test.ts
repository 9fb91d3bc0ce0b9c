import { describe, expect, it } from 'vitest';
import { bufferedChannel } from './console-channel.ts';

describe('bufferedChannel', () => {
  it('keeps text apart from data, delivering what came before the listeners in order', () => {
    const fed = bufferedChannel({ send: () => undefined, close: () => undefined });
    fed.data(new Uint8Array([1]));
    fed.data('{"gatepass":"presence"}');
    fed.data(new Uint8Array([2]));
    const seen: string[] = [];
    fed.channel.onText?.((text) => seen.push(`text ${text}`));
    fed.channel.onData((chunk) => seen.push(`data ${[...chunk].join(',')}`));
    fed.data('later');
    expect(seen).toEqual(['data 1', 'text {"gatepass":"presence"}', 'data 2', 'text later']);
  });

  it('never hands text to a data listener', () => {
    const fed = bufferedChannel({ send: () => undefined, close: () => undefined });
    const chunks: Uint8Array[] = [];
    fed.channel.onData((chunk) => chunks.push(chunk));
    fed.data('not console bytes');
    expect(chunks).toEqual([]);
  });
});
