import { Duplex } from 'node:stream';

/**
 * Two in-memory Duplex streams wired to each other, so the console hub can talk
 * to the built-in RFB server without a port (`stream.duplexPair` arrives only in
 * Node 22). Ending one side ends the other's readable; destroying one destroys both.
 */
export function createDuplexPair(): [Duplex, Duplex] {
  const make = (): Duplex & { peer?: Duplex } => {
    const side: Duplex & { peer?: Duplex } = new Duplex({
      read() {
        // Data is pushed by the peer's write.
      },
      write(chunk: Buffer, _encoding, callback) {
        side.peer?.push(chunk);
        callback();
      },
      final(callback) {
        side.peer?.push(null);
        callback();
      },
      destroy(error, callback) {
        const peer = side.peer;
        side.peer = undefined;
        if (peer && !peer.destroyed) peer.destroy();
        callback(error);
      },
    });
    return side;
  };
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
