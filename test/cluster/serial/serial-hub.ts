/**
 * The serial console subresource of the cluster stand-in, behind the API
 * server's checks. Towards a viewer it behaves as KubeVirt's does:
 * subprotocol `plain.kubevirt.io` only, raw bytes in binary frames, text frames
 * dropped, no pings, no `preserveSession`: the newest connection always wins
 * and the previous websocket is dropped without a close frame (its viewer sees
 * 1006), as the VNC hub does. Behind it, per VMI, sits a `LoginPrompt`; every
 * byte the VM receives is recorded for tests.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { ApiError, writeRawResponse } from '../status.ts';
import { LoginPrompt } from './login-prompt.ts';

export const SERIAL_SUBPROTOCOL = 'plain.kubevirt.io';

/** virt-launcher reads the guest's serial socket 10,240 bytes at a time, so no frame is larger. */
const FRAME_BYTES = 10_240;

export interface SerialTarget {
  namespace: string;
  name: string;
}

interface SerialConsole {
  prompt: LoginPrompt;
  ws: WebSocket | undefined;
  received: Buffer[];
  opened: number;
  requestUrls: string[];
}

export class SerialHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(SERIAL_SUBPROTOCOL) ? SERIAL_SUBPROTOCOL : false),
  });
  private readonly consoles = new Map<string, SerialConsole>();

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: SerialTarget): void {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(SERIAL_SUBPROTOCOL)) {
      return writeRawResponse(socket, 400, new ApiError(400, 'BadRequest', `websocket subprotocol ${SERIAL_SUBPROTOCOL} is required`).body());
    }
    const serial = this.consoleFor(target);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      serial.ws?.terminate();
      serial.ws = ws;
      serial.opened += 1;
      serial.requestUrls.push(req.url ?? '');
      ws.on('message', (data: RawData, isBinary: boolean) => {
        if (!isBinary || serial.ws !== ws) return;
        const chunk = toBuffer(data);
        serial.received.push(chunk);
        sendFrames(ws, serial.prompt.feed(chunk));
      });
      ws.on('close', () => {
        if (serial.ws === ws) serial.ws = undefined;
      });
      ws.on('error', () => ws.terminate());
      sendFrames(ws, serial.prompt.connect());
    });
  }

  /** Every byte the VM got on its serial console, across connections, in order. */
  received(namespace: string, name: string): Buffer {
    return Buffer.concat(this.consoles.get(key(namespace, name))?.received ?? []);
  }

  /** VM output to whoever holds the console now; false when no one does (the bytes are lost, as on a real serial line). */
  write(namespace: string, name: string, data: string | Buffer): boolean {
    const ws = this.openSocket(namespace, name);
    if (!ws) return false;
    sendFrames(ws, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    return true;
  }

  /** Drops the connection without a close frame, as when the VMI goes away. */
  disconnect(namespace: string, name: string): void {
    const serial = this.consoles.get(key(namespace, name));
    const ws = serial?.ws;
    if (!serial || !ws) return;
    serial.ws = undefined;
    ws.terminate();
  }

  /** Connections open now: 0 or 1, since the newest always wins. */
  connections(namespace: string, name: string): number {
    return this.openSocket(namespace, name) ? 1 : 0;
  }

  /** Connections ever opened to this VMI's serial console. */
  opened(namespace: string, name: string): number {
    return this.consoles.get(key(namespace, name))?.opened ?? 0;
  }

  /** The request path and query of each opened connection, e.g. to see what a relay forwarded. */
  requestUrls(namespace: string, name: string): string[] {
    return [...(this.consoles.get(key(namespace, name))?.requestUrls ?? [])];
  }

  async close(): Promise<void> {
    for (const serial of this.consoles.values()) {
      serial.ws?.terminate();
      serial.ws = undefined;
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private consoleFor(target: SerialTarget): SerialConsole {
    const id = key(target.namespace, target.name);
    let serial = this.consoles.get(id);
    if (!serial) {
      serial = { prompt: new LoginPrompt(target.name), ws: undefined, received: [], opened: 0, requestUrls: [] };
      this.consoles.set(id, serial);
    }
    return serial;
  }

  private openSocket(namespace: string, name: string): WebSocket | undefined {
    const ws = this.consoles.get(key(namespace, name))?.ws;
    return ws && ws.readyState === ws.OPEN ? ws : undefined;
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function sendFrames(ws: WebSocket, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; offset += FRAME_BYTES) {
    ws.send(bytes.subarray(offset, offset + FRAME_BYTES), { binary: true });
  }
}
