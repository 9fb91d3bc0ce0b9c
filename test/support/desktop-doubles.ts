// What the desktop services' tests give them in place of Electron and disk:
// an in-memory store, a platform that records what it was asked to do, and a
// reversible stand-in for the OS keychain (enough to prove nothing is stored in
// the clear).
import { createServer, type AddressInfo } from 'node:net';
import type { DesktopError } from '../../shared/desktop-api.ts';
import type { ConsoleChannel, KeyValueStore, Platform } from '../../main/desktop-api-impl.ts';

export function memoryStore(): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: (key) => structuredClone(data.get(key)),
    set: (key, value) => void data.set(key, structuredClone(value)),
    delete: (key) => void data.delete(key),
  };
}

export function fakePlatform(encryption = false) {
  const clipboard: string[] = [];
  const notices: string[] = [];
  const opened: string[] = [];
  const platform: Platform = {
    clipboard: { writeText: async (text) => void clipboard.push(text) },
    openExternal: async (url) => void opened.push(url),
    safeStorage: {
      isEncryptionAvailable: () => encryption,
      encryptString: (text) => Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ 0x5a)),
      decryptString: (data) => Buffer.from(data.map((b) => b ^ 0x5a)).toString('utf8'),
    },
    notify: (title, body) => void notices.push(`${title}: ${body}`),
  };
  return { platform, clipboard, notices, opened };
}

/** A port nothing listens on right now, for a gateway that must know its own address before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Reads from a console channel until `count` bytes arrived, or reports how it closed. */
export function readChannel(channel: ConsoleChannel, count: number): Promise<{ bytes: Buffer } | { code: number; reason: string }> {
  return new Promise((resolve) => {
    let bytes = Buffer.alloc(0);
    channel.onData((chunk) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (bytes.length >= count) resolve({ bytes: bytes.subarray(0, count) });
    });
    channel.onClose((code, reason) => resolve({ code, reason }));
  });
}

/** The DesktopError a call rejected with; fails the test if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<DesktopError> {
  try {
    await promise;
  } catch (error) {
    return error as DesktopError;
  }
  throw new Error('expected a rejection');
}
