import { describe, expect, it } from 'vitest';
import {
  encodeClientCutText, encodeClientHandshake, encodeFramebufferUpdateRequest, encodeKeyEvent, encodePointerEvent, encodeSetEncodings,
} from '../../shared/node/rfb.ts';
import { createViewOnlyFilter } from './view-only-filter.ts';

describe('the view-only filter', () => {
  it('counts the input it drops, and only that', () => {
    const filter = createViewOnlyFilter();
    expect(filter(encodeClientHandshake(true))).toBeInstanceOf(Buffer);
    const drawing = Buffer.concat([encodeSetEncodings([0]), encodeFramebufferUpdateRequest({ incremental: true, x: 0, y: 0, width: 10, height: 10 })]);
    const input = [encodeKeyEvent(true, 0x61), encodeKeyEvent(false, 0x61), encodePointerEvent(1, 5, 5), encodeClientCutText('secret')];
    // Split mid-message, as TCP may: the count follows whole messages.
    const stream = Buffer.concat([input[0]!, drawing, ...input.slice(1)]);
    const passed = [filter(stream.subarray(0, 5)), filter(stream.subarray(5))] as Buffer[];
    expect(Buffer.concat(passed)).toEqual(drawing);
    expect(filter.dropped).toBe(4);
  });

  it('starts every console at zero', () => {
    const first = createViewOnlyFilter();
    first(Buffer.concat([encodeClientHandshake(true), encodeKeyEvent(true, 1)]));
    expect(first.dropped).toBe(1);
    expect(createViewOnlyFilter().dropped).toBe(0);
  });
});
