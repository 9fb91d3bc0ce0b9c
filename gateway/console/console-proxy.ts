import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Upstream } from '../upstream.ts';
import { acceptUpgrade, consoleSubprotocol, refuseConsole, upgradeProblem } from './client-upgrade.ts';
import { closeCodes, explainUpstreamClose, explainUpstreamStatus, type CloseWith } from './close-codes.ts';
import { spliceConsole, type Relay, type RelayEnd } from './splice.ts';
import { kubevirtSubprotocol, openUpstreamConsole } from './upstream-console.ts';

export interface ConsoleRequest {
  upstreamPath: string;
  /** Already rebuilt from allow-listed keys (`consoleQuery`). */
  query: string;
  expiresAt: number;
  /** The link's id, so a revocation can end the console. */
  tokenId?: string;
  filterClient?: (chunk: Buffer) => Buffer | Error;
}

export interface ConsoleOutcome {
  /** Why the console did not open (absent when it did). */
  refused?: CloseWith;
  relay?: Relay;
}

export interface ConsoleHooks {
  onBytes(fromClient: number, fromServer: number): void;
  onUpstreamLatency(ms: number): void;
  /**
   * Runs once the upstream console is open and before the client is answered:
   * a refusal here reaches the client as a refused console, before any byte of
   * the VM's screen could.
   */
  beforeAccept?(): Promise<{ code: number; reason: string } | undefined>;
}

/** Why a client cannot have a console relayed to it at all, checked before anything counts or reaches the cluster. */
export function consoleClientProblem(req: IncomingMessage): string | undefined {
  return upgradeProblem(req) ?? (consoleSubprotocol(req) === undefined ? `offer the ${kubevirtSubprotocol} subprotocol, or none` : undefined);
}

/**
 * Opens console websockets on the API server and splices them to their
 * clients. A refused console is still accepted and then closed with a code and
 * a reason, because a browser sees only 1006 when a websocket handshake fails.
 */
export class ConsoleProxy {
  /** Open consoles and the id of the link each was opened with. */
  private readonly relays = new Map<Relay, string | undefined>();

  constructor(
    private readonly upstream: Upstream,
    private readonly options: { pingMs: number; connectTimeoutMs: number },
  ) {}

  get active(): number {
    return this.relays.size;
  }

  refuse(req: IncomingMessage, socket: Duplex, code: number, reason: string): void {
    refuseConsole(req, socket, code, reason);
  }

  async open(req: IncomingMessage, socket: Duplex, head: Buffer, target: ConsoleRequest, hooks: ConsoleHooks): Promise<ConsoleOutcome> {
    const base = this.upstream.url.pathname.replace(/\/$/, '');
    const started = performance.now();
    const pending = openUpstreamConsole({
      server: this.upstream.url,
      target: `${base}${target.upstreamPath}${target.query ? `?${target.query}` : ''}`,
      bearer: this.upstream.bearerToken(),
      tls: this.upstream.websocketTls,
      timeoutMs: this.options.connectTimeoutMs,
    });
    // The cluster is not kept waiting for a client that has gone.
    socket.once('close', pending.abort);
    const upstream = await pending.result;
    socket.removeListener('close', pending.abort);
    if (!upstream.open) {
      const refused = upstream.status !== undefined ? explainUpstreamStatus(upstream.status) : { code: 1011, reason: 'the gateway cannot reach the cluster' };
      this.refuse(req, socket, refused.code, refused.reason);
      return { refused };
    }
    hooks.onUpstreamLatency(performance.now() - started);
    let upstreamHead = upstream.head;
    // Counting a use for a viewer or a console already gone would spend it on nothing.
    if (hooks.beforeAccept && !socket.destroyed && !upstream.socket.destroyed) {
      // Reading stops after the handshake, but TLS may still hand over a record it had
      // already decrypted (the RFB banner, often): kept for the relay, in order.
      const early = [upstream.head];
      upstream.reader.onData = (chunk) => {
        early.push(Buffer.from(chunk));
        return false;
      };
      const ignore = (): void => undefined;
      upstream.socket.on('error', ignore);
      const refused = await hooks.beforeAccept().finally(() => upstream.socket.removeListener('error', ignore));
      upstreamHead = Buffer.concat(early);
      if (refused || upstream.socket.destroyed) {
        upstream.socket.destroy();
        upstream.reader.dispose();
        const why = refused ?? { code: 1011, reason: 'the cluster closed the console before it could be used' };
        if (!socket.destroyed) this.refuse(req, socket, why.code, why.reason);
        return { refused: why };
      }
    }
    if (socket.destroyed) {
      upstream.socket.destroy();
      upstream.reader.dispose();
      return { refused: { code: 1006, reason: 'the client went away' } };
    }
    acceptUpgrade(req, socket, consoleSubprotocol(req) ?? null);
    const clientSocket = socket as Socket;
    clientSocket.setTimeout?.(0);
    clientSocket.setNoDelay?.(true);
    const relay = spliceConsole(socket, head, upstream.socket, upstream.reader, upstreamHead, {
      pingMs: this.options.pingMs,
      expiresAt: target.expiresAt,
      expired: { code: closeCodes.expired, reason: 'the link expired' },
      ...(target.filterClient ? { filterClient: target.filterClient } : {}),
      onBytes: hooks.onBytes,
      serverClosed: explainUpstreamClose,
    });
    this.track(relay, target.tokenId);
    return { relay };
  }

  /** A console relayed by other means (a serial console's viewer), counted, revoked and shut down with these. */
  track(relay: Relay, tokenId: string | undefined): void {
    this.relays.set(relay, tokenId);
    void relay.ended.then(() => this.relays.delete(relay));
  }

  /** Ends the open consoles whose link is now revoked. */
  closeRevoked(isRevoked: (tokenId: string | undefined) => boolean): number {
    let closed = 0;
    for (const [relay, tokenId] of this.relays) {
      if (!isRevoked(tokenId)) continue;
      relay.close(closeCodes.noValidLink, 'this link has been revoked', 'revoked');
      closed += 1;
    }
    return closed;
  }

  /** Shutdown: every console is told the gateway is going away (1001). */
  closeAll(): Promise<RelayEnd[]> {
    const ends = [...this.relays.keys()].map((relay) => {
      relay.close(1001, 'the gateway is shutting down');
      return relay.ended;
    });
    return Promise.all(ends);
  }
}
