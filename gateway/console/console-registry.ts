import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConsoleKind } from '../../shared/kubevirt-paths.ts';
import type { Logger } from '../log.ts';
import type { Upstream } from '../upstream.ts';
import { acceptUpgrade, consoleSubprotocol } from './client-upgrade.ts';
import { closeCodes, explainUpstreamStatus, type CloseWith } from './close-codes.ts';
import { liveHolder, type ConsoleLeaseApi, type StoredConsoleLease } from './console-lease.ts';
import type { ConsoleHooks, ConsoleProxy } from './console-proxy.ts';
import type { ConsoleForwarder } from './forward-console.ts';
import { PresenceRoster, viewerInfo } from './presence-roster.ts';
import type { ConsoleEngine, SharedSession, SharedViewer } from './shared-console.ts';
import type { Relay } from './splice.ts';
import { openUpstreamConsole } from './upstream-console.ts';

export interface SharedConsoleRequest {
  namespace: string;
  name: string;
  /** The console's path on the API server, without a query (the engine says which query opens it). */
  upstreamPath: string;
  expiresAt: number;
  /** The link's id, so a revocation can end the viewer. */
  tokenId?: string;
  viewOnly: boolean;
  /** Join the console or be refused; never take it from anyone. */
  preserveSession: boolean;
  /** How the others see this viewer (`presenceName`). */
  viewerName: string;
  /** The viewer asked (`presence=true`) to be told who else is on the console. */
  presence: boolean;
  /** Whether a console held by another replica is relayed there; false for a request a replica already forwarded. */
  mayForward: boolean;
  /** The viewer's address, told to the holder when forwarded. */
  client: string | undefined;
}

export interface SharedConsoleOutcome {
  refused?: CloseWith;
  relay?: Relay;
  viewer?: SharedViewer;
  /** The identity of the replica the viewer was relayed to: that replica audits it. */
  forwardedTo?: string;
}

export interface ConsoleRegistryOptions {
  connectTimeoutMs: number;
  /** How long a Lease stays held without renewal; it is renewed at a third of that. */
  leaseDurationMs: number;
  /** The identity this replica writes into the Leases it holds. */
  identity: string;
  log: Logger;
  /** Relays a viewer to the replica holding its console; without it such a viewer is refused with 4409. */
  forwarder?: ConsoleForwarder;
  now?: () => number;
}

const inUseElsewhere: CloseWith = { code: closeCodes.inUse, reason: 'someone else is using this console' };
const takenOver: CloseWith = { code: closeCodes.inUse, reason: 'someone took over this console' };
const expired: CloseWith = { code: closeCodes.expired, reason: 'the link expired' };
const kindLabel: Record<ConsoleKind, string> = { serial: 'serial console', vnc: 'VNC console' };
// A claim that keeps losing the race to another replica's write gives up rather than loop.
const maxClaimAttempts = 3;

interface Held {
  session: SharedSession;
  roster: PresenceRoster;
}

type Claim = { lease: StoredConsoleLease } | { heldBy: StoredConsoleLease } | { refused: CloseWith };

/**
 * The consoles of one kind this gateway process relays: at most one upstream
 * connection per VMI, shared by every viewer of it here. A request that may
 * not take the console (`preserveSession`, or a view-only link) joins the
 * local session, or is relayed (`heldElsewhere`) to the replica that holds
 * the VMI's Lease; a full-control request without it takes the console, locally
 * by closing the other viewers (it keeps the upstream), across replicas by
 * taking the Lease and opening the console anew (KubeVirt then drops the
 * other replica's connection, whose viewers are told so).
 */
export class ConsoleRegistry {
  private readonly sessions = new Map<string, Held>();
  /** Opens for one VMI run one after another, so two requests never both open it. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly releases = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(
    private readonly upstream: Upstream,
    private readonly proxy: ConsoleProxy,
    private readonly leases: ConsoleLeaseApi,
    private readonly engine: ConsoleEngine,
    private readonly options: ConsoleRegistryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Consoles with their upstream open on this process. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  open(req: IncomingMessage, socket: Duplex, head: Buffer, request: SharedConsoleRequest, hooks: ConsoleHooks): Promise<SharedConsoleOutcome> {
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

  private refuse(req: IncomingMessage, socket: Duplex, refused: CloseWith): SharedConsoleOutcome {
    if (!socket.destroyed) this.proxy.refuse(req, socket, refused.code, refused.reason);
    return { refused };
  }

  private async openInTurn(req: IncomingMessage, socket: Duplex, head: Buffer, request: SharedConsoleRequest, hooks: ConsoleHooks): Promise<SharedConsoleOutcome> {
    if (socket.destroyed) return { refused: { code: 1006, reason: 'the client went away' } };
    const key = `${request.namespace}/${request.name}`;
    const local = this.sessions.get(key);
    const mayTake = !request.preserveSession && !request.viewOnly;
    if (local?.session.open) return this.admit(req, socket, head, local, request, hooks, mayTake);

    const claimed = await this.claim(request, mayTake);
    if ('refused' in claimed) return this.refuse(req, socket, claimed.refused);
    if ('heldBy' in claimed) return this.heldElsewhere(req, socket, head, request, hooks, claimed.heldBy);
    let lease = claimed.lease;

    const started = performance.now();
    const query = this.engine.upstreamQuery(mayTake);
    const pending = openUpstreamConsole({
      server: this.upstream.url,
      target: `${this.upstream.url.pathname.replace(/\/$/, '')}${request.upstreamPath}${query ? `?${query}` : ''}`,
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
    const held: Held = { session: this.engine.start(opened), roster: new PresenceRoster() };
    this.sessions.set(key, held);

    let renewing = false;
    let lost = false;
    let renewedAt = Date.now();
    // A session whose Lease is gone, or could not be renewed for its whole duration, may be
    // opened again by another replica at any moment: it ends here, said why, rather than
    // go on admitting viewers that KubeVirt would then silently cut off.
    const letGo = (told: CloseWith, message: string): void => {
      lost = true;
      this.options.log.info({ vmi: key, console: this.engine.kind }, message);
      held.session.close(told);
    };
    const renewer = setInterval(() => {
      if (renewing || lost) return;
      renewing = true;
      this.leases.renew(request.namespace, request.name, lease)
        .then((renewed) => {
          if (renewed === 'lost') {
            letGo({ code: closeCodes.inUse, reason: 'another gateway replica took this console; reconnect to join it' }, 'another replica took this console; its viewers are told');
          } else {
            lease = renewed;
            renewedAt = Date.now();
          }
        })
        .catch((err: unknown) => {
          this.options.log.warn({ vmi: key, console: this.engine.kind, err: (err as Error).message }, 'cannot renew the Lease of a console');
          if (Date.now() - renewedAt >= this.options.leaseDurationMs) {
            letGo({ code: 1013, reason: 'the gateway could not keep this console’s Lease; try again' }, 'the Lease of a console ran out unrenewed; its viewers are told');
          }
        })
        .finally(() => (renewing = false));
    }, Math.max(1, Math.floor(this.options.leaseDurationMs / 3)));
    renewer.unref();
    void held.session.ended.then(() => {
      clearInterval(renewer);
      if (this.sessions.get(key) === held) this.sessions.delete(key);
      if (!lost) this.release(request, lease);
    });
    return this.admit(req, socket, head, held, request, hooks, false);
  }

  /**
   * A viewer that may not take the console, for a console another live replica
   * holds (`lease` names it, and its serving address). Taking it would push
   * that replica's viewers off, so the viewer joins the session there,
   * relayed; a request a replica already relayed once is refused (4409)
   * rather than sent on again.
   */
  private async heldElsewhere(
    req: IncomingMessage, socket: Duplex, head: Buffer, request: SharedConsoleRequest, hooks: ConsoleHooks, lease: StoredConsoleLease,
  ): Promise<SharedConsoleOutcome> {
    const forwarder = this.options.forwarder;
    if (!forwarder || !request.mayForward || !lease.servingAddress) return this.refuse(req, socket, inUseElsewhere);
    const outcome = await forwarder.forward(req, socket, head, {
      holderAddress: lease.servingAddress, client: request.client, expiresAt: request.expiresAt, ...(request.tokenId ? { tokenId: request.tokenId } : {}),
    }, hooks);
    return outcome.relay ? { relay: outcome.relay, forwardedTo: lease.spec.holderIdentity ?? '' } : outcome;
  }

  /** The Lease for a console this replica is about to open, the Lease of the replica that holds it, or why neither. */
  private async claim(request: SharedConsoleRequest, mayTake: boolean): Promise<Claim> {
    for (let attempt = 0; attempt < maxClaimAttempts; attempt++) {
      try {
        const current = await this.leases.read(request.namespace, request.name);
        const holder = current && liveHolder(current.spec, this.now());
        if (current && holder !== undefined && holder !== this.options.identity && !mayTake) return { heldBy: current };
        const taken = await this.leases.take(request.namespace, request.name, current);
        if (taken !== 'conflict') return { lease: taken };
      } catch (err) {
        // Opening without the Lease could push another replica's viewers off unannounced: refused, and said why.
        this.options.log.warn({ vmi: `${request.namespace}/${request.name}`, console: this.engine.kind, err: (err as Error).message }, 'cannot read or write the Lease of a console');
        return { refused: { code: 1011, reason: `the gateway cannot check who else uses this ${kindLabel[this.engine.kind]} (${(err as Error).message})` } };
      }
    }
    return { refused: inUseElsewhere };
  }

  private release(request: SharedConsoleRequest, lease: StoredConsoleLease): void {
    const released = this.leases.release(request.namespace, request.name, lease)
      .catch((err: unknown) => this.options.log.warn({ vmi: `${request.namespace}/${request.name}`, console: this.engine.kind, err: (err as Error).message }, 'cannot delete the Lease of a console; it frees itself once it runs out'))
      .finally(() => this.releases.delete(released));
    this.releases.add(released);
  }

  /** Lets a viewer in once its use is counted, tells everyone on the console who joined, and the viewer who is there. */
  private async admit(
    req: IncomingMessage, socket: Duplex, head: Buffer, held: Held, request: SharedConsoleRequest, hooks: ConsoleHooks, takeOver: boolean,
  ): Promise<SharedConsoleOutcome> {
    const { session, roster } = held;
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
      const info = viewerInfo(request.viewerName, !request.viewOnly);
      roster.join(info, request.presence ? (text) => viewer.sendText(text) : undefined);
      void viewer.relay.ended.then(() => roster.leave(info.id));
      this.proxy.track(viewer.relay, request.tokenId);
      return { relay: viewer.relay, viewer };
    } finally {
      letGo();
    }
  }
}
