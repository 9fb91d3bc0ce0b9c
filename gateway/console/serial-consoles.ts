import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.ts';
import type { Upstream } from '../upstream.ts';
import { acceptUpgrade, consoleSubprotocol } from './client-upgrade.ts';
import { closeCodes, explainUpstreamStatus, type CloseWith } from './close-codes.ts';
import type { ConsoleHooks, ConsoleProxy } from './console-proxy.ts';
import type { ConsoleForwarder } from './forward-console.ts';
import { liveHolder, type SerialLeaseApi, type StoredSerialLease } from './serial-lease.ts';
import { SerialSession } from './serial-session.ts';
import type { SerialViewer } from './serial-viewer.ts';
import type { Relay } from './splice.ts';
import { openUpstreamConsole } from './upstream-console.ts';

export interface SerialRequest {
  namespace: string;
  name: string;
  /** The `console` path on the API server, never with a query: KubeVirt's serial console takes none. */
  upstreamPath: string;
  expiresAt: number;
  /** The link's id, so a revocation can end the viewer. */
  tokenId?: string;
  viewOnly: boolean;
  /** Join the console or be refused; never take it from anyone. */
  preserveSession: boolean;
  /** Whether a console held by another replica is relayed there; false for a request a replica already forwarded. */
  mayForward: boolean;
  /** The viewer's address, told to the holder when forwarded. */
  client: string | undefined;
}

export interface SerialOutcome {
  refused?: CloseWith;
  relay?: Relay;
  viewer?: SerialViewer;
  /** The identity of the replica the viewer was relayed to: that replica audits it. */
  forwardedTo?: string;
}

export interface SerialConsolesOptions {
  pingMs: number;
  connectTimeoutMs: number;
  /** How long a Lease stays held without renewal; it is renewed at a third of that. */
  leaseDurationMs: number;
  /** The identity this replica writes into the Leases it holds. */
  identity: string;
  log: Logger;
  /** Relays a viewer to the replica holding its console; without it such a viewer is refused with 4409. */
  forwarder?: ConsoleForwarder;
  ringBytes?: number;
  maxViewerBacklog?: number;
  maxUpstreamBacklog?: number;
  now?: () => number;
}

const inUseElsewhere: CloseWith = { code: closeCodes.inUse, reason: 'someone else is using this console' };
const takenOver: CloseWith = { code: closeCodes.inUse, reason: 'someone took over this console' };
const expired: CloseWith = { code: closeCodes.expired, reason: 'the link expired' };
// A claim that keeps losing the race to another replica's write gives up rather than loop.
const maxClaimAttempts = 3;

interface Held {
  session: SerialSession;
}

/**
 * The serial consoles this gateway process relays: at most one upstream
 * connection per VMI, shared by every viewer of it here. A request that may
 * not take the console (`preserveSession`, or a view-only link) joins the
 * local session, or is relayed to the replica that holds the VMI's Lease
 * (refused with 4409 when it cannot be: a request already relayed once); a
 * full-control request without it takes the console, locally
 * by closing the other viewers, across replicas by taking the Lease and
 * opening the console anew (KubeVirt then drops the other replica's
 * connection, whose viewers are told so).
 */
export class SerialConsoles {
  private readonly sessions = new Map<string, Held>();
  /** Opens for one VMI run one after another, so two requests never both open it. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly releases = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(
    private readonly upstream: Upstream,
    private readonly proxy: ConsoleProxy,
    private readonly leases: SerialLeaseApi,
    private readonly options: SerialConsolesOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Serial consoles with their upstream open on this process. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  open(req: IncomingMessage, socket: Duplex, head: Buffer, request: SerialRequest, hooks: ConsoleHooks): Promise<SerialOutcome> {
    const key = `${request.namespace}/${request.name}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const turn = previous.then(() => this.openInTurn(req, socket, head, request, hooks));
    const settled = turn.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return turn;
  }

  /** Shutdown: every session ends (its viewers told the gateway is going away) and its Lease is given back. */
  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()].map(({ session }) => session);
    for (const session of sessions) session.close({ code: 1001, reason: 'the gateway is shutting down' });
    // Each session's end starts its Lease's release; then those are awaited, before the API client goes.
    await Promise.all(sessions.map((session) => session.ended));
    await Promise.all([...this.releases]);
  }

  private refuse(req: IncomingMessage, socket: Duplex, refused: CloseWith): SerialOutcome {
    if (!socket.destroyed) this.proxy.refuse(req, socket, refused.code, refused.reason);
    return { refused };
  }

  private async openInTurn(req: IncomingMessage, socket: Duplex, head: Buffer, request: SerialRequest, hooks: ConsoleHooks): Promise<SerialOutcome> {
    if (socket.destroyed) return { refused: { code: 1006, reason: 'the client went away' } };
    const key = `${request.namespace}/${request.name}`;
    const local = this.sessions.get(key);
    const mayTake = !request.preserveSession && !request.viewOnly;
    if (local?.session.open) return this.admit(req, socket, head, local.session, request, hooks, mayTake);

    const claimed = await this.claim(request, mayTake);
    if ('refused' in claimed) return this.refuse(req, socket, claimed.refused);
    if ('heldBy' in claimed) return this.forward(req, socket, head, request, hooks, claimed.heldBy);
    let lease = claimed.lease;

    const started = performance.now();
    const pending = openUpstreamConsole({
      server: this.upstream.url,
      target: `${this.upstream.url.pathname.replace(/\/$/, '')}${request.upstreamPath}`,
      bearer: this.upstream.bearerToken(),
      tls: this.upstream.websocketTls,
      timeoutMs: this.options.connectTimeoutMs,
    });
    // The cluster is not kept waiting for a client that has gone.
    socket.once('close', pending.abort);
    const opened = await pending.result;
    socket.removeListener('close', pending.abort);
    if (!opened.open) {
      this.release(request, lease);
      const refused = opened.status !== undefined ? explainUpstreamStatus(opened.status) : { code: 1011, reason: 'the gateway cannot reach the cluster' };
      return this.refuse(req, socket, refused);
    }
    hooks.onUpstreamLatency(performance.now() - started);
    const session = new SerialSession(opened.socket, opened.reader, opened.head, {
      pingMs: this.options.pingMs,
      ringBytes: this.options.ringBytes ?? 64 * 1024,
      maxViewerBacklog: this.options.maxViewerBacklog ?? 1024 * 1024,
      maxUpstreamBacklog: this.options.maxUpstreamBacklog ?? 256 * 1024,
    });
    const held: Held = { session };
    this.sessions.set(key, held);

    let renewing = false;
    let lost = false;
    const renewer = setInterval(() => {
      if (renewing || lost) return;
      renewing = true;
      this.leases.renew(request.namespace, request.name, lease)
        .then((renewed) => {
          if (renewed === 'lost') {
            lost = true;
            this.options.log.info({ vmi: key }, 'another replica took this serial console; KubeVirt ends this one');
          } else {
            lease = renewed;
          }
        })
        .catch((err: unknown) => this.options.log.warn({ vmi: key, err: (err as Error).message }, 'cannot renew the Lease of a serial console'))
        .finally(() => (renewing = false));
    }, Math.max(1, Math.floor(this.options.leaseDurationMs / 3)));
    renewer.unref();
    void session.ended.then(() => {
      clearInterval(renewer);
      if (this.sessions.get(key) === held) this.sessions.delete(key);
      if (!lost) this.release(request, lease);
    });
    return this.admit(req, socket, head, session, request, hooks, false);
  }

  /** The viewer joins the session another replica holds, there; 4409 when it may not be relayed. */
  private async forward(
    req: IncomingMessage, socket: Duplex, head: Buffer, request: SerialRequest, hooks: ConsoleHooks, heldBy: StoredSerialLease,
  ): Promise<SerialOutcome> {
    const forwarder = this.options.forwarder;
    if (!forwarder || !request.mayForward || !heldBy.servingAddress) return this.refuse(req, socket, inUseElsewhere);
    const outcome = await forwarder.forward(req, socket, head, {
      holderAddress: heldBy.servingAddress, client: request.client, expiresAt: request.expiresAt, ...(request.tokenId ? { tokenId: request.tokenId } : {}),
    }, hooks);
    return outcome.relay ? { relay: outcome.relay, forwardedTo: heldBy.spec.holderIdentity ?? '' } : outcome;
  }

  /** The Lease for a console this replica is about to open, the Lease of the replica that holds it, or why neither. */
  private async claim(request: SerialRequest, mayTake: boolean): Promise<{ lease: StoredSerialLease } | { heldBy: StoredSerialLease } | { refused: CloseWith }> {
    for (let attempt = 0; attempt < maxClaimAttempts; attempt++) {
      try {
        const current = await this.leases.read(request.namespace, request.name);
        const holder = current && liveHolder(current.spec, this.now());
        if (holder !== undefined && holder !== this.options.identity && !mayTake) return { heldBy: current! };
        const taken = await this.leases.take(request.namespace, request.name, current);
        if (taken !== 'conflict') return { lease: taken };
        // Another replica claimed it first: the next read finds it live, and this viewer goes there.
      } catch (err) {
        // Opening without the Lease could push another replica's viewers off unannounced: refused, and said why.
        this.options.log.warn({ vmi: `${request.namespace}/${request.name}`, err: (err as Error).message }, 'cannot read or write the Lease of a serial console');
        return { refused: { code: 1011, reason: `the gateway cannot check who else uses this serial console (${(err as Error).message})` } };
      }
    }
    return { refused: inUseElsewhere };
  }

  private release(request: SerialRequest, lease: StoredSerialLease): void {
    const released = this.leases.release(request.namespace, request.name, lease)
      .catch((err: unknown) => this.options.log.warn({ vmi: `${request.namespace}/${request.name}`, err: (err as Error).message }, 'cannot delete the Lease of a serial console; it frees itself once it runs out'))
      .finally(() => this.releases.delete(released));
    this.releases.add(released);
  }

  /** Lets a viewer in once its use is counted: the ring buffer first, then the console live. */
  private async admit(
    req: IncomingMessage, socket: Duplex, head: Buffer, session: SerialSession, request: SerialRequest, hooks: ConsoleHooks, takeOver: boolean,
  ): Promise<SerialOutcome> {
    const letGo = session.hold();
    try {
      if (hooks.beforeAccept && !socket.destroyed && session.open) {
        const refused = await hooks.beforeAccept();
        if (refused) return this.refuse(req, socket, refused);
      }
      if (socket.destroyed) return { refused: { code: 1006, reason: 'the client went away' } };
      if (!session.open) return this.refuse(req, socket, { code: 1011, reason: 'the cluster closed the console before it could be used' });
      acceptUpgrade(req, socket, consoleSubprotocol(req) ?? null);
      const viewer = session.addViewer(socket, head, {
        expiresAt: request.expiresAt,
        expired,
        viewOnly: request.viewOnly,
        onBytes: hooks.onBytes,
      });
      if (takeOver) session.closeOthers(viewer, takenOver);
      this.proxy.track(viewer.relay, request.tokenId);
      return { relay: viewer.relay, viewer };
    } finally {
      letGo();
    }
  }
}
