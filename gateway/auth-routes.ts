import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringifySetCookie } from 'cookie';
import { isDnsLabel } from '../shared/dns-label.ts';
import { CONSOLE_KINDS, consoleKindPath, type ConsoleKind } from '../shared/kubevirt-paths.ts';
import { authorizeRequest, type Decision, type TokenCheck } from './authorize.ts';
import { BodyTooLargeError, baseHeaders, readBody, sendHtml, sendJson } from './http-util.ts';
import { errorPage, loginPage, openPage } from './pages.ts';
import { browserSessionCookie, newSessionId, sessionIdOf } from './console-session.ts';
import { cookieBudgetBytes, planConsoleCookies, type HeldCookie } from './cookie-budget.ts';
import { compatCookie, consoleCookieName, heldConsoleCookies } from './token-sources.ts';

export interface AuthRouteOptions {
  apiPath: string;
  clientPath: string;
  /** Plain HTTP on a loopback address is the only case where cookies go without `Secure`. */
  secureCookies: boolean;
  check: TokenCheck;
  now?: () => number;
}

interface SetRequest {
  token: string;
  name?: string;
  namespace?: string;
  then?: string;
}

const maxFormBytes = 16 * 1024;
// Browsers cap a cookie's lifetime at 400 days; the exp of a held cookie is read unverified, so it is capped too.
const maxSessionSeconds = 400 * 24 * 3600;

/** `jq .Token` output arrives wrapped in quotes. */
function stripQuotes(token: string): string {
  const trimmed = token.trim();
  return /^".*"$/.test(trimmed) || /^'.*'$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

/** `then` may only lead to a path on this gateway: `/x`, never `//host` or `/\host`. */
export function isSameOriginPath(then: string): boolean {
  // Control characters are matched on purpose: a CR or LF in a Location header splits the response.
  // eslint-disable-next-line no-control-regex
  return /^\/(?![/\\])[^\s\\]*$/.test(then) && !/[\u0000-\u001f\u007f]/.test(then);
}

async function readSetRequest(req: IncomingMessage): Promise<URLSearchParams> {
  if (req.method === 'GET') return new URL(req.url ?? '/', 'http://gateway').searchParams;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new TypeError('send the form as application/x-www-form-urlencoded');
  return new URLSearchParams(await readBody(req, maxFormBytes));
}

const isConsoleKind = (value: string | null): value is ConsoleKind => (CONSOLE_KINDS as readonly (string | null)[]).includes(value);

function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

export function createAuthRoutes(options: AuthRouteOptions) {
  const now = options.now ?? Date.now;
  const apiPrefix = options.apiPath.replace(/\/$/, '');

  const fail = (res: ServerResponse, status: number, title: string, detail: string): void =>
    sendHtml(res, status, errorPage({ title, detail }));

  const sessionCookie = browserSessionCookie(options.secureCookies);

  /** A cookie that lives until `exp` (unix seconds); 0 or a past `exp` deletes it. */
  const cookie = (name: string, value: string, exp: number): string =>
    stringifySetCookie({
      name,
      value,
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies,
      maxAge: Math.max(0, Math.floor(exp - now() / 1000)),
    });

  /**
   * The cookies a followed link leaves in the browser: the link's token (the
   * compat cookie and its console's own), the browser's session id, and,
   * expired, the console cookies that no longer fit the budget.
   */
  function linkCookies(req: IncomingMessage, token: string, exp: number, consoleCookie: string | undefined): string[] {
    // Only the gateway's own session cookie is kept: a plain one may have been planted from a sibling host.
    const session = sessionIdOf(req, sessionCookie) ?? newSessionId();
    const setting: HeldCookie[] = [{ name: compatCookie, value: token }, { name: sessionCookie, value: session }];
    if (consoleCookie) setting.push({ name: consoleCookie, value: token });
    const plan = planConsoleCookies(heldConsoleCookies(req), setting, cookieBudgetBytes, now() / 1000);
    // The session outlives every link the browser still holds, so reconnecting any of them is the same use.
    const sessionUntil = Math.min(Math.max(exp, plan.latestKeptExp ?? exp), now() / 1000 + maxSessionSeconds);
    return [
      cookie(compatCookie, token, exp),
      ...(consoleCookie ? [cookie(consoleCookie, token, exp)] : []),
      cookie(sessionCookie, session, sessionUntil),
      ...plan.expire.map((name) => cookie(name, '', 0)),
    ];
  }

  /**
   * The first console of the VM the link opens, screen before serial: where
   * following it leads. A link that opens neither gets the screen's refusal.
   */
  async function firstConsole(token: string, namespace: string, name: string): Promise<{ decision: Decision; consolePath: string }> {
    let refused: { decision: Decision; consolePath: string } | undefined;
    for (const kind of CONSOLE_KINDS) {
      const consolePath = consoleKindPath(kind, namespace, name);
      const decision = await options.check(token, { method: 'GET', path: consolePath, upgrade: true });
      if (decision.allow) return { decision, consolePath };
      refused ??= { decision, consolePath };
      // Only a path refusal depends on the console asked; any other is the token's own.
      if (decision.status !== 403) break;
    }
    return refused!;
  }

  async function set(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.writeHead(405, { ...baseHeaders, allow: 'GET, POST' }).end();
      return;
    }
    let params: URLSearchParams;
    try {
      params = await readSetRequest(req);
    } catch (err) {
      const status = err instanceof BodyTooLargeError ? 413 : 400;
      return fail(res, status, 'This link could not be read', (err as Error).message);
    }
    const request: SetRequest = { token: stripQuotes(params.get('token') ?? '') };
    for (const field of ['name', 'namespace', 'then'] as const) {
      const value = params.get(field);
      if (value !== null && value !== '') request[field] = value;
    }
    if (!request.token) return fail(res, 400, 'This link has no token', 'The link is missing its token; check that it was copied whole.');
    const hasVm = request.name !== undefined || request.namespace !== undefined;
    if (hasVm && !(isDnsLabel(request.name) && isDnsLabel(request.namespace))) {
      return fail(res, 400, 'This link is malformed', 'The VM name and namespace must both be DNS labels (lower-case letters, digits and dashes).');
    }
    if (!hasVm && request.then === undefined) {
      return fail(res, 400, 'This link is incomplete', 'The link names no VM: it needs name and namespace (or then).');
    }
    if (request.then !== undefined && !isSameOriginPath(request.then)) {
      return fail(res, 400, 'This link is malformed', 'The link may only lead to a page on this gateway.');
    }

    const { decision, consolePath } = hasVm
      ? await firstConsole(request.token, request.namespace!, request.name!)
      : { decision: await options.check(request.token, undefined), consolePath: undefined };
    if (!decision.allow) {
      const title = decision.status === 403 ? 'This link does not open this console' : 'This link cannot be used';
      return fail(res, decision.status === 403 ? 403 : 401, title, decision.message);
    }

    const cookies = linkCookies(req, request.token, decision.claims.exp, hasVm ? consoleCookieName(request.namespace!, request.name!) : undefined);
    const location = request.then ?? `${options.clientPath}?path=${encodeURIComponent(`${apiPrefix.replace(/^\//, '')}${consolePath}`)}`;
    res.writeHead(302, { ...baseHeaders, location, 'set-cookie': cookies });
    res.end();
  }

  /**
   * What the viewer shows: the verified claims of the link that opens the
   * `kind` console of the VM (default vnc), never the token, and which of the
   * VM's consoles the links this browser holds open.
   */
  async function session(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    const name = query.get('name');
    const namespace = query.get('namespace');
    const kind = query.get('kind') ?? 'vnc';
    if (!isDnsLabel(name) || !isDnsLabel(namespace)) {
      return sendJson(res, 400, { message: 'name and namespace query parameters must be DNS labels' });
    }
    if (!isConsoleKind(kind)) {
      return sendJson(res, 400, { message: `kind must be one of ${CONSOLE_KINDS.join(', ')}` });
    }
    const decisions = new Map<ConsoleKind, Decision>();
    for (const each of CONSOLE_KINDS) {
      decisions.set(each, await authorizeRequest(options.check, req, { method: 'GET', path: consoleKindPath(each, namespace, name), upgrade: true }));
    }
    const decision = decisions.get(kind)!;
    if (!decision.allow) return sendJson(res, decision.status, { reason: decision.reason, message: decision.message });
    const { claims } = decision;
    sendJson(res, 200, {
      namespace,
      name,
      from: isoSeconds(claims.nbf),
      until: isoSeconds(claims.exp),
      id: claims.id ?? claims.jti,
      issuedBy: claims.sub,
      viewOnly: claims.gatepass?.viewOnly === true,
      maxUses: claims.gatepass?.maxUses,
      label: claims.gatepass?.label,
      consoles: CONSOLE_KINDS.filter((each) => decisions.get(each)?.allow === true),
    });
  }

  function login(req: IncomingMessage, res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    sendHtml(res, 200, loginPage({ token: query.get('token') ?? '', name: query.get('name') ?? '', namespace: query.get('namespace') ?? '' }));
  }

  function open(_req: IncomingMessage, res: ServerResponse): void {
    sendHtml(res, 200, openPage());
  }

  return { set, session, login, open };
}
