import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { authenticateClient, ByteReader, negotiateUpstream, RfbError, type RfbPeer } from './rfb-guard.ts';
import { defaultTransport, openVncBridge } from './console-bridge.ts';
import { vncAuthResponse } from './vnc-auth.ts';

/** A peer whose incoming bytes are scripted and whose outgoing bytes are recorded. */
function scripted(...incoming: Buffer[]): RfbPeer & { written: Buffer[] } {
  const reader = new ByteReader();
  for (const chunk of incoming) reader.push(chunk);
  reader.fail(new RfbError('end of script'));
  const written: Buffer[] = [];
  return { reader, written, write: (bytes) => void written.push(bytes) };
}

const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const reason = (text: string) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);

describe('ByteReader', () => {
  it('reads exact lengths whatever the chunking', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), async (bytes, cuts) => {
      const reader = new ByteReader();
      let at = 0;
      for (const cut of cuts) {
        reader.push(bytes.subarray(at, at + cut));
        at += cut;
      }
      reader.push(bytes.subarray(at));
      const first = await reader.read(Math.min(5, bytes.length));
      return Buffer.concat([first, reader.rest()]).equals(Buffer.from(bytes));
    }));
  });

  it('refuses a peer that floods it before the handshake is done, instead of buffering', async () => {
    const reader = new ByteReader(64);
    const pending = reader.read(12);
    reader.push(Buffer.alloc(8));
    reader.push(Buffer.alloc(100));
    await expect(pending).rejects.toThrow(/more than 64 bytes/);
  });

  it('rejects a read the ended stream cannot meet', async () => {
    const reader = new ByteReader();
    reader.push(Buffer.from([1, 2]));
    reader.fail(new Error('gone'));
    expect([...(await reader.read(2))]).toEqual([1, 2]);
    await expect(reader.read(1)).rejects.toThrow('gone');
  });
});

describe('the console side of the handshake', () => {
  it('picks None from a 3.8 console and checks its SecurityResult', async () => {
    const upstream = scripted(Buffer.from('RFB 003.008\n'), Buffer.from([2, 2, 1]), u32(0));
    await negotiateUpstream(upstream);
    expect(Buffer.concat(upstream.written)).toEqual(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1])]));
  });

  it('follows a 3.3 console, which names the type itself', async () => {
    const upstream = scripted(Buffer.from('RFB 003.003\n'), u32(1));
    await negotiateUpstream(upstream);
    expect(Buffer.concat(upstream.written).toString('latin1')).toBe('RFB 003.003\n');
  });

  it("says why a console refuses or wants a password", async () => {
    await expect(negotiateUpstream(scripted(Buffer.from('RFB 003.008\n'), Buffer.from([0]), reason('too many sessions')))).rejects.toThrow('the console refused the connection: too many sessions');
    await expect(negotiateUpstream(scripted(Buffer.from('RFB 003.008\n'), Buffer.from([1, 2])))).rejects.toThrow(/asks for security types 2; only an open console/);
    await expect(negotiateUpstream(scripted(Buffer.from('HTTP/1.1 400\r\n')))).rejects.toThrow(/does not speak RFB 3\.x/);
  });
});

describe('the VNC client side', () => {
  it('authenticates a 3.3 client, which is told the type', async () => {
    const reader = new ByteReader();
    const written: Buffer[] = [];
    const pending = authenticateClient({ reader, write: (b) => void written.push(b) }, 'pass1234');
    reader.push(Buffer.from('RFB 003.003\n'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written[1]).toEqual(u32(2));
    reader.push(vncAuthResponse('pass1234', written[2]!));
    expect(await pending).toEqual({ minor: 3, ok: true });
  });

  it('answers a 3.7 client with a bare failure (3.7 has no reason)', async () => {
    const reader = new ByteReader();
    const written: Buffer[] = [];
    const pending = authenticateClient({ reader, write: (b) => void written.push(b) }, 'pass1234');
    reader.push(Buffer.from('RFB 003.007\n'));
    reader.push(Buffer.from([2]));
    await new Promise((resolve) => setImmediate(resolve));
    reader.push(Buffer.alloc(16));
    expect(await pending).toEqual({ minor: 7, ok: false });
    expect(written.at(-1)).toEqual(u32(1));
  });

  it('lets in a 3.8 client with the right answer, leaving the result to the caller', async () => {
    const reader = new ByteReader();
    const written: Buffer[] = [];
    const pending = authenticateClient({ reader, write: (b) => void written.push(b) }, 'pass1234');
    reader.push(Buffer.from('RFB 003.008\n'));
    reader.push(Buffer.from([2]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written[1]).toEqual(Buffer.from([1, 2]));
    reader.push(vncAuthResponse('pass1234', written[2]!));
    expect(await pending).toEqual({ minor: 8, ok: true });
    expect(written).toHaveLength(3);
  });

  it('refuses a client that picks another security type, saying why', async () => {
    const client = scripted(Buffer.from('RFB 003.008\n'), Buffer.from([1]));
    await expect(authenticateClient(client, 'pass1234')).rejects.toThrow('chose security type 1');
    expect(client.written.at(-1)!.subarray(8).toString()).toBe('this bridge needs VNC password authentication');
  });
});

describe('the bridge transport', () => {
  it('is a guarded loopback port where there are no Unix sockets', async () => {
    expect(defaultTransport('win32')).toBe('loopback');
    expect(defaultTransport('linux')).toBe('unix');
    const bridge = await openVncBridge({ connect: () => Promise.reject(new Error('unused')), platform: 'win32' });
    try {
      expect(bridge.info.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(bridge.info.password).toHaveLength(8);
    } finally {
      bridge.close();
      await bridge.closed;
    }
  });
});
