// A viewer that reaches a replica other than the one hosting its VMI's console
// is relayed to that holder: the same websocket request, with the viewer's own
// token (Authorization, Cookie or the bearer subprotocol) and the headers the
// holder's origin check compares, so the holder decides again on its own and
// forwarding adds no trust. What the viewer's address is travels as
// X-Forwarded-For, which the holder believes only from a peer in its
// --trusted-proxies (client-address.ts). A forwarded request carries
// X-Gatepass-Forwarded-By and is never forwarded again.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptUpgrade, consoleSubprotocol } from './client-upgrade.ts';
import { closeCodes, closeReason, sendableCode, type CloseWith } from './close-codes.ts';
import type { ConsoleHooks, ConsoleOutcome, ConsoleProxy } from './console-proxy.ts';
import { spliceConsole } from './splice.ts';
import { openUpstreamConsole } from './upstream-console.ts';

/** Marks a request one replica forwarded to another; its value is the forwarding replica's identity. */
export const FORWARDED_BY_HEADER = 'x-gatepass-forwarded-by';

/** The viewer's headers the holder needs to decide the request again: its token, and the origin its cookie came with. */
const passedHeaders = ['authorization', 'cookie', 'origin'] as const;

/** Whether a request says it was forwarded by a replica: such a request is answered where it lands, never sent on again. */
export function isForwardedRequest(req: IncomingMessage): boolean {
  return req.headers[FORWARDED_BY_HEADER] !== undefined;
}

/**
 * The header lines of the forwarded request beyond the websocket's own: the
 * passed ones as the viewer sent them, the viewer's address as this replica
 * determined it (never the viewer's own X-Forwarded-For), and the loop guard.
 */
export function forwardedHeaderLines(req: IncomingMessage, client: string | undefined, forwardedBy: string): string[] {
  const lines: string[] = [];
  for (const name of passedHeaders) {
    const value = req.headers[name];
    if (value !== undefined) lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
  }
  if (client !== undefined) lines.push(`x-forwarded-for: ${client}`);
  lines.push(`${FORWARDED_BY_HEADER}: ${forwardedBy}`);
  return lines;
}

/** How the holder's end of a forwarded console reads to the viewer: its own words, or that it went away. */
export function explainHolderClose(code: number, reason: string): CloseWith {
  if (code === 1006) return { code: 1001, reason: 'the gateway replica holding this console went away' };
  if (code === 1005) return { code: 1000, reason: '' };
  return { code: sendableCode(code), reason: closeReason(reason) };
}

export interface ForwarderOptions {
  /** This replica's identity, sent as the loop guard. */
  identity: string;
  /** Replicas serve HTTPS when this one does (they share one Deployment's flags). */
  secure: boolean;
  /**
   * The certificate (DER) this replica serves with: a holder must present the
   * same one, which only a replica (a holder of the serving key) can. Its
   * names are the Service's, never a pod address, so it is pinned rather than
   * checked against the address.
   */
  servingCert?: Buffer;
  connectTimeoutMs: number;
  pingMs: number;
}

export interface ForwardedViewer {
  /** `host:port` of the holder, from its Lease. */
  holderAddress: string;
  /** The viewer's address as this replica determined it. */
  client: string | undefined;
  expiresAt: number;
  tokenId?: string;
}

/** Why a viewer could not be relayed to the holder; Try Again Later, as the holder's Lease runs out if it is gone. */
function holderRefused(status: number | undefined): CloseWith {
  return status === undefined
    ? { code: 1013, reason: 'the gateway replica holding this console cannot be reached; try again' }
    : { code: 1013, reason: `the gateway replica holding this console answered HTTP ${status}; try again` };
}

/** Relays viewers to the replica that holds their console. */
export class ConsoleForwarder {
  constructor(
    private readonly proxy: ConsoleProxy,
    private readonly options: ForwarderOptions,
  ) {}

  async forward(req: IncomingMessage, socket: Duplex, head: Buffer, viewer: ForwardedViewer, hooks: Pick<ConsoleHooks, 'onBytes' | 'onUpstreamLatency'>): Promise<ConsoleOutcome> {
    const protocol = consoleSubprotocol(req) ?? null;
    const offered = req.headers['sec-websocket-protocol'];
    const started = performance.now();
    const pending = openUpstreamConsole({
      server: new URL(`${this.options.secure ? 'https' : 'http'}://${viewer.holderAddress}`),
      target: req.url ?? '/',
      bearer: undefined,
      tls: { rejectUnauthorized: false, ...(this.options.servingCert ? { pinnedCert: this.options.servingCert } : {}) },
      timeoutMs: this.options.connectTimeoutMs,
      ...(req.headers.host ? { host: req.headers.host } : {}),
      headers: forwardedHeaderLines(req, viewer.client, this.options.identity),
      subprotocol: { offer: Array.isArray(offered) ? offered.join(', ') : offered, expect: protocol },
    });
    socket.once('close', pending.abort);
    const holder = await pending.result;
    socket.removeListener('close', pending.abort);
    if (!holder.open) {
      // A holder answering without an upgrade is shutting down (or is no gateway): the viewer may come back.
      const refused = holderRefused(holder.status);
      if (!socket.destroyed) this.proxy.refuse(req, socket, refused.code, refused.reason);
      return { refused };
    }
    hooks.onUpstreamLatency(performance.now() - started);
    if (socket.destroyed) {
      holder.socket.destroy();
      holder.reader.dispose();
      return { refused: { code: 1006, reason: 'the client went away' } };
    }
    acceptUpgrade(req, socket, protocol);
    (socket as Socket).setTimeout?.(0);
    (socket as Socket).setNoDelay?.(true);
    const relay = spliceConsole(socket, head, holder.socket, holder.reader, holder.head, {
      pingMs: this.options.pingMs,
      expiresAt: viewer.expiresAt,
      expired: { code: closeCodes.expired, reason: 'the link expired' },
      onBytes: hooks.onBytes,
      serverClosed: explainHolderClose,
      passServerText: true,
    });
    this.proxy.track(relay, viewer.tokenId);
    return { relay };
  }
}
