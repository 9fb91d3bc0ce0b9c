import { RfbClientHandshake, RfbClientMessageParser, type ClientMessage } from '../../shared/node/rfb.ts';

/** What a view-only console may still say: how to draw the screen, never input or power. */
const passes = new Set<ClientMessage['type']>([
  'SetPixelFormat', 'SetEncodings', 'FramebufferUpdateRequest', 'EnableContinuousUpdates', 'ClientFence',
]);

/** Whether a view-only viewer may send this message: everything else is input, clipboard, resize or power. */
export function viewOnlyMayPass(message: ClientMessage): boolean {
  return passes.has(message.type);
}

/**
 * A client→server filter for view-only links. The RFB stream is parsed, not
 * pattern-matched: input, clipboard, resize and power messages are dropped,
 * and a message the parser does not know closes the console, because its
 * length — and so where the next message starts — cannot be trusted.
 */
export interface ViewOnlyFilter {
  (chunk: Buffer): Buffer | Error;
  /** Messages dropped so far (keys, pointer moves, clipboard, power, resize): the close's audit Event reports it. */
  readonly dropped: number;
}

export function createViewOnlyFilter(): ViewOnlyFilter {
  const handshake = new RfbClientHandshake();
  const parser = new RfbClientMessageParser();
  let dropped = 0;
  const filter = (chunk: Buffer): Buffer | Error => {
    const out: Buffer[] = [];
    let rest = chunk;
    if (!handshake.done) {
      const progress = handshake.feed(chunk);
      if (progress.error) return new Error(`view-only console: ${progress.error}`);
      out.push(...progress.steps.map((step) => step.raw));
      if (!progress.done) return Buffer.concat(out);
      rest = progress.rest;
    }
    if (rest.length > 0) {
      const { messages, error } = parser.feed(rest);
      for (const message of messages) {
        if (viewOnlyMayPass(message)) out.push(message.raw);
        else dropped += 1;
      }
      if (error) return new Error(`view-only console: ${error}`);
    }
    return Buffer.concat(out);
  };
  return Object.defineProperty(filter, 'dropped', { get: () => dropped, enumerable: true }) as ViewOnlyFilter;
}
