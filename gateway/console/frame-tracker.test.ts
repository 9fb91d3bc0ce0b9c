import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameTracker, type FrameSink, type FrameTrackerOptions } from './frame-tracker.ts';
import { encodeFrame, Opcode } from './frames.ts';

/** A frame as a peer would put it on the wire, fragments and reserved bits included. */
function frame(opcode: number, payload: Buffer, options: { fin?: boolean; masked?: boolean; rsv?: number } = {}): Buffer {
  const whole = encodeFrame(opcode, payload, options.masked ?? false);
  whole[0] = (options.fin === false ? 0 : 0x80) | ((options.rsv ?? 0) << 4) | opcode;
  return whole;
}

interface Seen {
  passed: Buffer[];
  payloads: Buffer[];
  controls: Array<{ opcode: number; payload: string }>;
  /** What the owner wrote at each boundary it asked for, in stream order with the passed bytes. */
  stream: Buffer[];
}

function track(options: Partial<FrameTrackerOptions>, chunks: Buffer[], onBoundary?: (tracker: FrameTracker, seen: Seen) => void) {
  const tracker = new FrameTracker({ masked: false, mode: 'pass', maxPayload: 1 << 30, ...options });
  const seen: Seen = { passed: [], payloads: [], controls: [], stream: [] };
  const sink: FrameSink = {
    pass: (chunk, start, end) => {
      const bytes = Buffer.from(chunk.subarray(start, end));
      seen.passed.push(bytes);
      seen.stream.push(bytes);
    },
    payload: (data) => void seen.payloads.push(Buffer.from(data)),
    control: (opcode, payload) => void seen.controls.push({ opcode, payload: payload.toString() }),
    boundary: () => onBoundary?.(tracker, seen),
  };
  const results = chunks.map((chunk) => tracker.feed(chunk, sink));
  return { tracker, seen, ok: results.every(Boolean) };
}

/** Cuts `bytes` at the given offsets. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks.filter((c) => c.length > 0);
}

describe('FrameTracker', () => {
  it('passes binary frames byte for byte, in one piece when a read holds them whole', () => {
    const wire = Buffer.concat([frame(Opcode.binary, Buffer.from('RFB 003.008\n')), frame(Opcode.binary, randomBytes(70_000))]);
    const { seen, tracker, ok } = track({}, [wire]);
    expect(ok).toBe(true);
    expect(seen.passed).toHaveLength(1);
    expect(Buffer.concat(seen.passed).equals(wire)).toBe(true);
    expect(tracker.midFrame).toBe(false);
  });

  it('drops text frames and their continuations, keeps binary ones', () => {
    const keep = frame(Opcode.binary, Buffer.from('keep'));
    const wire = Buffer.concat([
      frame(Opcode.text, Buffer.from('dropped'), { fin: false }),
      frame(Opcode.continuation, Buffer.from('also dropped')),
      keep,
      frame(Opcode.text, Buffer.from('gone')),
    ]);
    const { seen } = track({}, [wire]);
    expect(Buffer.concat(seen.passed).equals(keep)).toBe(true);
  });

  it('with keepText, passes text messages and their continuations as they came (another replica’s presence frames)', () => {
    const wire = Buffer.concat([
      frame(Opcode.text, Buffer.from('{"presence"'), { fin: false }),
      frame(Opcode.continuation, Buffer.from(':[]}')),
      frame(Opcode.binary, Buffer.from('screen')),
    ]);
    const { seen, ok } = track({ keepText: true }, cut(wire, [5, 17]));
    expect(ok).toBe(true);
    expect(Buffer.concat(seen.passed).equals(wire)).toBe(true);
  });

  it('takes a ping out of the middle of a fragmented message and passes the fragments around it', () => {
    const first = frame(Opcode.binary, Buffer.from('frag-1'), { fin: false });
    const last = frame(Opcode.continuation, Buffer.from('frag-2'));
    const wire = Buffer.concat([first, frame(Opcode.ping, Buffer.from('are you there')), last]);
    for (const chunks of [[wire], cut(wire, [3, 9, 11, 20])]) {
      const { seen, ok } = track({}, chunks);
      expect(ok).toBe(true);
      expect(Buffer.concat(seen.passed).equals(Buffer.concat([first, last]))).toBe(true);
      expect(seen.controls).toEqual([{ opcode: Opcode.ping, payload: 'are you there' }]);
    }
  });

  it('reads 16-bit and 64-bit lengths whose header is split across reads', () => {
    for (const size of [126, 65_535, 65_536, 200_000]) {
      const wire = frame(Opcode.binary, randomBytes(size));
      for (let split = 1; split < 10; split++) {
        const { seen, tracker } = track({}, [wire.subarray(0, split), wire.subarray(split)]);
        expect(Buffer.concat(seen.passed).equals(wire)).toBe(true);
        expect(tracker.midFrame).toBe(false);
      }
    }
  });

  it('unmasks a masked close frame that is split across reads', () => {
    const wire = frame(Opcode.close, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]), { masked: true });
    const { seen } = track({ masked: true }, cut(wire, [1, 2, 5, 7]));
    expect(seen.controls).toHaveLength(1);
    expect(seen.controls[0]!.opcode).toBe(Opcode.close);
    expect(seen.controls[0]!.payload.slice(2)).toBe('bye');
  });

  it('in payload mode unmasks the payload of binary frames and hands it over in order', () => {
    const data = randomBytes(5000);
    const wire = Buffer.concat([frame(Opcode.binary, data.subarray(0, 3000), { masked: true, fin: false }), frame(Opcode.continuation, data.subarray(3000), { masked: true })]);
    const { seen } = track({ masked: true, mode: 'payload' }, cut(wire, [1, 700, 3003, 3010]));
    expect(seen.passed).toHaveLength(0);
    expect(Buffer.concat(seen.payloads).equals(data)).toBe(true);
  });

  it('knows it is inside a frame until the frame ends', () => {
    const wire = frame(Opcode.binary, randomBytes(1000));
    const tracker = new FrameTracker({ masked: false, mode: 'pass', maxPayload: 1 << 20 });
    const sink: FrameSink = { pass: () => undefined, payload: () => undefined, control: () => undefined, boundary: () => undefined };
    tracker.feed(wire.subarray(0, 1), sink);
    expect(tracker.midFrame).toBe(false);
    tracker.feed(wire.subarray(1, 500), sink);
    expect(tracker.midFrame).toBe(true);
    tracker.feed(wire.subarray(500), sink);
    expect(tracker.midFrame).toBe(false);
  });

  it('calls back at the next frame end when asked, so frames of its own go between frames', () => {
    const a = frame(Opcode.binary, randomBytes(300));
    const b = frame(Opcode.binary, randomBytes(300));
    const own = frame(Opcode.ping, Buffer.alloc(0));
    const { seen } = track({}, [Buffer.concat([a, b]).subarray(0, 100), Buffer.concat([a, b]).subarray(100)], (tracker, s) => {
      tracker.wantsBoundary = false;
      s.stream.push(own);
    });
    expect(Buffer.concat(seen.stream).equals(Buffer.concat([a, b]))).toBe(true);
    const asked = track({}, [Buffer.concat([a, b]).subarray(0, 100)]);
    asked.tracker.wantsBoundary = true;
    const stream: Buffer[] = [];
    asked.tracker.feed(Buffer.concat([a, b]).subarray(100), {
      pass: (chunk, start, end) => void stream.push(Buffer.from(chunk.subarray(start, end))),
      payload: () => undefined,
      control: () => undefined,
      boundary: () => {
        asked.tracker.wantsBoundary = false;
        stream.push(own);
      },
    });
    expect(Buffer.concat([...asked.seen.stream, ...stream]).equals(Buffer.concat([a, own, b]))).toBe(true);
  });

  it.each([
    ['reserved bits (no extension was agreed)', frame(Opcode.binary, Buffer.from('x'), { rsv: 4 }), {}, /reserved bits/],
    ['an unmasked frame from a client', frame(Opcode.binary, Buffer.from('x')), { masked: true }, /must be masked/],
    ['a masked frame from a server', frame(Opcode.binary, Buffer.from('x'), { masked: true }), {}, /must not be masked/],
    ['a control frame over 125 bytes', frame(Opcode.ping, Buffer.alloc(126)), {}, /control frame/],
    ['a fragmented control frame', frame(Opcode.ping, Buffer.alloc(1), { fin: false }), {}, /control frame/],
    ['a continuation with nothing to continue', frame(Opcode.continuation, Buffer.from('x')), {}, /continuation/],
    ['a new message inside a fragmented one', Buffer.concat([frame(Opcode.binary, Buffer.from('a'), { fin: false }), frame(Opcode.binary, Buffer.from('b'))]), {}, /new message/],
    ['an unknown opcode', frame(0x3, Buffer.from('x')), {}, /unknown opcode/],
    ['a frame over the size limit', frame(Opcode.binary, Buffer.alloc(2000)), { maxPayload: 1000 }, /larger/],
  ] as const)('refuses %s', (_name, wire, options, message) => {
    const { ok, tracker, seen } = track(options, [wire]);
    expect(ok).toBe(false);
    expect(tracker.error).toMatch(message);
    // Nothing of a frame that broke the protocol is passed on.
    expect(Buffer.concat(seen.passed).length).toBeLessThan(wire.length);
    expect(tracker.feed(frame(Opcode.binary, Buffer.from('after'), { masked: 'masked' in options }), { pass: () => expect.fail('passed after an error'), payload: () => undefined, control: () => undefined, boundary: () => undefined })).toBe(false);
  });

  it('refuses a 64-bit length past 2^53', () => {
    const header = Buffer.from([0x82, 127, 0xff, 0, 0, 0, 0, 0, 0, 1]);
    const { ok, tracker } = track({ maxPayload: Number.MAX_SAFE_INTEGER }, [header]);
    expect(ok).toBe(false);
    expect(tracker.error).toMatch(/larger/);
  });

  it('passes any mix of frames, cut anywhere, exactly as a whole-frame reader would', () => {
    const frameArb = fc.oneof(
      fc.record({ kind: fc.constant('binary' as const), size: fc.oneof(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 65_530, max: 65_540 })), fragments: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('text' as const), size: fc.integer({ min: 0, max: 200 }), fragments: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ kind: fc.constantFrom('ping' as const, 'pong' as const), size: fc.integer({ min: 0, max: 125 }), fragments: fc.constant(1) }),
    );
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (specs, cuts, masked) => {
        const wire: Buffer[] = [];
        const expectedPassed: Buffer[] = [];
        const expectedControls: string[] = [];
        for (const spec of specs) {
          const payload = randomBytes(spec.size);
          if (spec.kind === 'ping' || spec.kind === 'pong') {
            wire.push(frame(spec.kind === 'ping' ? Opcode.ping : Opcode.pong, payload, { masked }));
            expectedControls.push(payload.toString());
            continue;
          }
          const step = Math.ceil(spec.size / spec.fragments) || 1;
          for (let i = 0, part = 0; part < spec.fragments; i += step, part++) {
            const last = part === spec.fragments - 1;
            const bytes = frame(part === 0 ? (spec.kind === 'binary' ? Opcode.binary : Opcode.text) : Opcode.continuation, payload.subarray(Math.min(i, spec.size), last ? spec.size : Math.min(i + step, spec.size)), { fin: last, masked });
            wire.push(bytes);
            if (spec.kind === 'binary') expectedPassed.push(bytes);
          }
        }
        const all = Buffer.concat(wire);
        const { seen, ok, tracker } = track({ masked }, cut(all, cuts));
        expect(ok).toBe(true);
        expect(Buffer.concat(seen.passed).equals(Buffer.concat(expectedPassed))).toBe(true);
        expect(seen.controls.map((c) => c.payload)).toEqual(expectedControls);
        expect(tracker.midFrame).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
