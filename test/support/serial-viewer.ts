// A viewer of a serial console through a gateway, as the tests drive one:
// the console's output (binary frames) as text, the gateway's own text frames
// (presence) apart, typing, and how it closed.
import WebSocket from 'ws';
import { bearerSubprotocol } from './console-client.ts';
import { waitFor } from './gateway-harness.ts';

export interface SerialViewerOptions {
  headers?: Record<string, string>;
  /** The address the viewer connects from (any 127.x.y.z is this machine), to be a client outside --trusted-proxies. */
  localAddress?: string;
}

export class SerialViewer {
  readonly socket: WebSocket;
  private readonly chunks: Buffer[] = [];
  /** The text frames received, each whole: presence, never the console's output. */
  readonly textFrames: string[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly ready: Promise<void>;

  constructor(url: string, token: string, options: SerialViewerOptions = {}) {
    this.socket = new WebSocket(url, ['plain.kubevirt.io', bearerSubprotocol(token)], {
      headers: options.headers ?? {}, ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    this.socket.on('message', (data, isBinary) => (isBinary ? this.chunks.push(data as Buffer) : this.textFrames.push((data as Buffer).toString('utf8'))));
    this.socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('close', () => resolve());
      this.socket.once('error', reject);
    });
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  type(text: string): void {
    this.socket.send(Buffer.from(text));
  }

  async shows(text: string, what = JSON.stringify(text)): Promise<void> {
    await waitFor(() => this.text().includes(text), `${what} on the viewer (has ${JSON.stringify(this.text())})`);
  }

  async closes(): Promise<{ code: number; reason: string }> {
    await waitFor(() => this.closed !== undefined, 'the viewer to close');
    return this.closed!;
  }
}
