import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { CONSOLE_CLOSE_CODES } from '../shared/console-close-codes.ts';
import { closeReason, relayConsole, type Relay, type RelayEnd } from '../shared/node/console-relay.ts';
import type { Upstream } from './upstream.ts';
import { offeredSubprotocols } from './token-sources.ts';

export const kubevirtSubprotocol = 'plain.kubevirt.io';

/** The close codes a viewer can explain to a person. */
export const closeCodes = CONSOLE_CLOSE_CODES;

export interface ConsoleRequest {
  upstreamPath: string;
  query: string;
  expiresAt: number;
  /** The link's id, so a revocation can end the console. */
  tokenId?: string;
  filterClient?: (chunk: Buffer) => Buffer | Error;
}

export interface ConsoleOutcome {
  /** What the upstream said when it refused (absent when the console opened). */
  refused?: { code: number; reason: string };
  relay?: Relay;
}

export interface ConsoleHooks {
  onBytes(direction: 'client' | 'server', bytes: number): void;
  onUpstreamLatency(ms: number): void;
}

/** Whether the client offered a subprotocol a VNC console can be relayed over. */
export function offersConsoleSubprotocol(req: IncomingMessage): boolean {
  return offeredSubprotocols(req).some((p) => p === kubevirtSubprotocol || p === 'binary');
}

/** The console query with `preserveSession=true` in force, whatever the client asked. */
export function withPreservedSession(query: string): string {
  const kept = query.split('&').filter((pair) => pair !== '' && pair.split('=')[0] !== 'preserveSession');
  return [...kept, 'preserveSession=true'].join('&');
}

/** How the API server's refusal of a console handshake reads to a person. */
export function explainUpstreamStatus(status: number): { code: number; reason: string } {
  if (status === 503) return { code: closeCodes.inUse, reason: 'someone else is using this console' };
  if (status === 400) return { code: closeCodes.notRunning, reason: 'the VM is not running' };
  // A stopped VM has no instance at all, so KubeVirt answers 404 for it as for a missing one.
  if (status === 404) return { code: closeCodes.notRunning, reason: 'the VM is not running (or does not exist)' };
  if (status === 401 || status === 403) return { code: closeCodes.notAllowed, reason: 'the gateway is not allowed to open this console' };
  return { code: 1011, reason: `the cluster refused the console (HTTP ${status})` };
}

/**
 * How the end of an open console reads to a person. KubeVirt drops the old
 * viewer without a close frame (1006) when another one takes the console.
 */
export function explainUpstreamClose(code: number, reason = ''): { code: number; reason: string } {
  if (code === 1006) return { code: closeCodes.inUse, reason: 'the console was taken over by another viewer, or the cluster dropped it' };
  if (code === 1000 || code === 1005) return { code: 1000, reason: 'the console closed' };
  return { code: code === 1015 ? 1011 : code, reason: closeReason(`the console closed: ${reason || `code ${code}`}`) };
}

/**
 * Opens and relays console websockets. A refused handshake is still accepted
 * and then closed with a code and a reason, because a browser sees only 1006
 * when a websocket handshake fails.
 */
export class ConsoleProxy {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4 * 1024 * 1024,
    // Never echo the bearer subprotocol back: it is a token.
    handleProtocols: (offered) => (offered.has(kubevirtSubprotocol) ? kubevirtSubprotocol : offered.has('binary') ? 'binary' : false),
  });
  /** Open consoles and the id of the link each was opened with. */
  private readonly relays = new Map<Relay, string | undefined>();

  constructor(
    private readonly upstream: Upstream,
    private readonly options: { pingMs: number; connectTimeoutMs: number },
  ) {}

  get active(): number {
    return this.relays.size;
  }

  /** Accepts the client's websocket only to close it at once with `code`. */
  refuse(req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => ws.close(code, closeReason(reason)));
  }

  open(req: IncomingMessage, socket: Duplex, head: Buffer, target: ConsoleRequest, hooks: ConsoleHooks): Promise<ConsoleOutcome> {
    const base = this.upstream.url.pathname.replace(/\/$/, '');
    const wsUrl = new URL(`${base}${target.upstreamPath}${target.query ? `?${target.query}` : ''}`, this.upstream.url);
    wsUrl.protocol = this.upstream.url.protocol === 'https:' ? 'wss:' : 'ws:';
    const bearer = this.upstream.bearerToken();
    const started = performance.now();
    const upstreamWs = new WebSocket(wsUrl, [kubevirtSubprotocol], {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      ...this.upstream.websocketTls,
      handshakeTimeout: this.options.connectTimeoutMs,
      perMessageDeflate: false,
    });
    // The client must not wait forever for an upstream that never answers.
    socket.once('close', () => upstreamWs.terminate());

    return new Promise((resolve) => {
      const refuse = (code: number, reason: string): void => {
        upstreamWs.removeAllListeners();
        upstreamWs.on('error', () => undefined);
        upstreamWs.terminate();
        this.refuse(req, socket, head, code, reason);
        resolve({ refused: { code, reason } });
      };
      upstreamWs.once('unexpected-response', (_request, response) => {
        response.resume();
        const { code, reason } = explainUpstreamStatus(response.statusCode ?? 502);
        refuse(code, reason);
      });
      upstreamWs.once('error', () => refuse(1011, 'the gateway cannot reach the cluster'));
      upstreamWs.once('open', () => {
        hooks.onUpstreamLatency(performance.now() - started);
        upstreamWs.removeAllListeners('error');
        if (!offersConsoleSubprotocol(req)) {
          // Nothing to relay to: a VNC console speaks only the binary subprotocols.
          upstreamWs.close();
          this.refuse(req, socket, head, closeCodes.notAllowed, `offer the ${kubevirtSubprotocol} subprotocol`);
          resolve({ refused: { code: closeCodes.notAllowed, reason: 'no console subprotocol offered' } });
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (client) => {
          const relay = relayConsole(client, upstreamWs, {
            pingMs: this.options.pingMs,
            expiresAt: target.expiresAt,
            expiredCode: closeCodes.expired,
            expiredReason: 'the link expired',
            ...(target.filterClient ? { filterClient: target.filterClient } : {}),
            onBytes: hooks.onBytes,
            serverClosed: explainUpstreamClose,
          });
          this.relays.set(relay, target.tokenId);
          void relay.ended.then(() => this.relays.delete(relay));
          resolve({ relay });
        });
      });
    });
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
