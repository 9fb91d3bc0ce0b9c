// Issues console links. The private key is read with the operator's own
// credentials — RBAC on that Secret is the permission to issue — and kept in
// memory only, for at most ten minutes; it is never written anywhere and never
// leaves this module. Claims come from the shared core: the chosen console
// paths of exactly one VM (the screen, the serial console, or both), `get` only,
// `sub` from the API server's SelfSubjectReview.
// Before signing, the operator must be allowed to open each of those consoles themselves
// (console-permission.ts): checked here as well as when the share dialog opens,
// so no caller of this module can skip it.
import { randomUUID } from 'node:crypto';
import { buildClaims, ClaimsError, type GatepassRestrictions, type TokenClaims } from '../../shared/claims.ts';
import type { ConsoleSubresource } from '../../shared/access-review.ts';
import type { ClusterSettings, DesktopError, GatewayInfo, KeySecretRef, SharePermission, ShareRequest } from '../../shared/desktop-api.ts';
import { CONSOLE_KINDS, consoleKindPath, type ConsoleKind } from '../../shared/kubevirt-paths.ts';
import { buildGatewayLink } from '../../shared/links.ts';
import { importPrivateKey, KeyError, type PrivateKeyWithKid } from '../../shared/node/keys.ts';
import { signToken } from '../../shared/node/sign-token.ts';
import { checkConsolePermission } from './console-permission.ts';
import { DesktopFailure, toDesktopError } from './errors.ts';
import type { IdentityCache } from './identity.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';
import { MAX_LIFETIME_MS } from './validate-input.ts';

export const KEY_CACHE_MS = 10 * 60_000;

/** What the person asked for (the contract's ShareRequest), with what main resolved for it. */
export interface IssueRequest extends Omit<ShareRequest, 'context' | 'consoles'> {
  /** Checked by the caller: non-empty, distinct, screen first. */
  consoles: ConsoleKind[];
  client: KubeClient;
  settings: ClusterSettings;
  gateway: GatewayInfo;
  /** `sha256/…` of a privately certified gateway's key, so recipients without its CA can check it. */
  pin?: string;
}

export interface Issued {
  id: string;
  token: string;
  link: string;
  claims: TokenClaims;
  issuedBy: string;
}

export interface SignerOptions {
  identities: IdentityCache;
  now?: () => number;
  keyCacheMs?: number;
}

/** The access-review subresource of each console kind. */
const SUBRESOURCE: Record<ConsoleKind, ConsoleSubresource> = { vnc: 'vnc', serial: 'console' };

const secretLabel = (ref: KeySecretRef) => `${ref.namespace}/${ref.name} (key ${ref.key})`;

export class Signer {
  private readonly keys = new Map<string, { key: Promise<PrivateKeyWithKid>; timer: NodeJS.Timeout }>();
  private readonly now: () => number;
  private readonly keyCacheMs: number;

  constructor(private readonly options: SignerOptions) {
    this.now = options.now ?? Date.now;
    this.keyCacheMs = options.keyCacheMs ?? KEY_CACHE_MS;
  }

  async issue(request: IssueRequest): Promise<Issued> {
    const { client, gateway } = request;
    const restrictions = restrictionsFor(request, gateway, client.context);
    // The key first, so "you may not issue links here" is said before anything about one VM.
    const permitted = async () => {
      const key = await this.loadKey(client, request.settings.keySecret);
      for (const kind of request.consoles) {
        await checkConsolePermission(client, { namespace: request.namespace, name: request.name, subresource: SUBRESOURCE[kind] });
      }
      return key;
    };
    if (request.consoles.length === 0) throw new DesktopFailure('invalid-input', 'a link must open at least one console', client.context);
    const [key, issuedBy] = await Promise.all([permitted(), this.options.identities.get(client)]);
    let claims: TokenClaims;
    try {
      claims = buildClaims({
        urls: request.consoles.map((kind) => consoleKindPath(kind, request.namespace, request.name)),
        verbs: ['get'],
        from: request.from ?? 'now',
        duration: request.duration,
        randomId: randomUUID,
        sub: issuedBy,
        // kube-gateway ignores aud, and a Gatepass gateway checks it only when it says so.
        ...(gateway.kind === 'gatepass' && gateway.enforces.includes('audience') ? { aud: gateway.url } : {}),
        ...(restrictions ? { restrictions } : {}),
        now: this.now(),
        maxLifetimeMs: MAX_LIFETIME_MS,
      });
    } catch (error) {
      if (error instanceof ClaimsError) throw new DesktopFailure('invalid-input', error.message, client.context);
      throw error;
    }
    const token = await signToken(claims, key);
    const link = buildGatewayLink({ gateway: gateway.url, token, name: request.name, namespace: request.namespace, form: gateway.kind === 'gatepass' ? 'fragment' : 'query', ...(request.pin ? { pin: request.pin } : {}) });
    return { id: claims.jti ?? claims.id ?? '', token, link, claims, issuedBy };
  }

  /** Drops every cached key (also on kubeconfig changes and on quit). */
  forget(context?: string): void {
    for (const [cacheKey, entry] of this.keys) {
      if (context !== undefined && !cacheKey.startsWith(`${context}\u0000`)) continue;
      clearTimeout(entry.timer);
      this.keys.delete(cacheKey);
    }
  }

  /** Reads (or reuses) the signing key: whether the operator may issue at all. The key itself stays in here. */
  async checkCanIssue(client: KubeClient, ref: KeySecretRef): Promise<void> {
    await this.loadKey(client, ref);
  }

  /**
   * Whether issue() would be refused for this VM's console, and why: the signing
   * key first (no links here at all), then the operator's own console access.
   * Other failures (unreachable, no key secret) are thrown: they are not an answer.
   */
  async checkCanShare(client: KubeClient, ref: KeySecretRef, target: { namespace: string; name: string }): Promise<SharePermission> {
    const refusal = async (why: 'signing-key' | 'console', check: () => Promise<unknown>): Promise<SharePermission | undefined> => {
      try {
        await check();
        return undefined;
      } catch (error) {
        if (error instanceof DesktopFailure && error.code === 'forbidden') return { allowed: false, why, error: toDesktopError(error, client.context) };
        throw error;
      }
    };
    const keyRefused = await refusal('signing-key', () => this.loadKey(client, ref));
    if (keyRefused) return keyRefused;
    const allowed: ConsoleKind[] = [];
    const refusals: Partial<Record<ConsoleKind, DesktopError>> = {};
    for (const kind of CONSOLE_KINDS) {
      const refused = await refusal('console', () => checkConsolePermission(client, { ...target, subresource: SUBRESOURCE[kind] }));
      if (refused && !refused.allowed) refusals[kind] = refused.error;
      else allowed.push(kind);
    }
    // Said about the screen when nothing may be shared: the console most links open.
    if (allowed.length === 0) return { allowed: false, why: 'console', error: refusals.vnc! };
    return { allowed: true, consoles: allowed, ...(Object.keys(refusals).length > 0 ? { refusals } : {}) };
  }

  private loadKey(client: KubeClient, ref: KeySecretRef): Promise<PrivateKeyWithKid> {
    const cacheKey = `${client.context}\u0000${ref.namespace}/${ref.name}/${ref.key}`;
    const cached = this.keys.get(cacheKey);
    if (cached) return cached.key;
    const key = readKey(client, ref);
    const timer = setTimeout(() => this.keys.delete(cacheKey), this.keyCacheMs);
    timer.unref();
    this.keys.set(cacheKey, { key, timer });
    key.catch(() => {
      clearTimeout(timer);
      this.keys.delete(cacheKey);
    });
    return key;
  }
}

function restrictionsFor(request: IssueRequest, gateway: GatewayInfo, context: string): GatepassRestrictions | undefined {
  const enforced = (what: string) => gateway.kind === 'gatepass' && gateway.enforces.includes(what);
  const refuse = (option: string) =>
    new DesktopFailure('invalid-input', `the gateway at ${gateway.url} does not enforce ${option} links, so it cannot be offered: the link would grant more than it says`, context);
  const restrictions: GatepassRestrictions = {};
  if (request.viewOnly) {
    if (!enforced('viewOnly')) throw refuse('view-only');
    restrictions.viewOnly = true;
  }
  if (request.singleUse) {
    if (!enforced('maxUses')) throw refuse('single-use');
    restrictions.maxUses = 1;
  }
  // A label restricts nothing; only a Gatepass gateway records it, elsewhere it stays in the history.
  if (request.label && gateway.kind === 'gatepass') restrictions.label = request.label;
  return Object.keys(restrictions).length > 0 ? restrictions : undefined;
}

async function readKey(client: KubeClient, ref: KeySecretRef): Promise<PrivateKeyWithKid> {
  let secret: { data?: Record<string, string> };
  try {
    secret = await client.request('GET', `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`);
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 403) {
      throw new DesktopFailure('forbidden', `you may not issue links in this cluster: reading the signing key ${secretLabel(ref)} is not allowed for context "${client.context}" (${(error as Error).message})`, client.context);
    }
    if (status === 404) {
      throw new DesktopFailure('not-found', `the signing key secret ${ref.namespace}/${ref.name} does not exist in context "${client.context}"; check the key secret in Settings`, client.context);
    }
    throw error;
  }
  const encoded = secret.data?.[ref.key];
  if (!encoded) throw new DesktopFailure('gateway', `the secret ${ref.namespace}/${ref.name} has no key "${ref.key}"; check the key secret in Settings`, client.context);
  try {
    return importPrivateKey(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch (error) {
    if (error instanceof KeyError) throw new DesktopFailure('gateway', `the signing key ${secretLabel(ref)} is not usable: ${error.message}`, client.context);
    throw error;
  }
}
