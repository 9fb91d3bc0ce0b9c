import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import { baseHeaders, sendHtml } from './http-util.ts';
import { errorPage } from './pages.ts';

/** kube-gateway keeps the OAuth access token here and uses it as the upstream bearer. */
export const bearerCookie = 'kg-bearer-session-code';
const stateCookie = 'gatepass-oauth-state';
const stateLifetimeSeconds = 600;

export interface OAuthEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** The gateway's public base URL; the callback is `<it>/auth/callback`. */
  callbackAddress: URL;
  basePath: string;
  secureCookies: boolean;
  /** Given endpoints, or discovery from the API server's `/.well-known/oauth-authorization-server`. */
  endpoints: () => Promise<OAuthEndpoints>;
  /** POSTs the token request; injected so the exchange uses the gateway's upstream TLS settings. */
  postForm: (url: string, form: URLSearchParams) => Promise<{ status: number; body: string }>;
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

export function pkceChallenge(verifier: string): string {
  return base64url(createHash('sha256').update(verifier).digest());
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The OAuth2 authorization-code flow kube-gateway offers, with the two things it
 * lacks: `state` bound to a cookie and checked, and PKCE.
 */
export function createOAuthRoutes(options: OAuthOptions) {
  const callback = new URL('auth/callback', options.callbackAddress.href.endsWith('/') ? options.callbackAddress : `${options.callbackAddress.href}/`).href;
  const cookieBase = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secureCookies };

  async function login(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { authorizationEndpoint } = await options.endpoints();
    const state = base64url(randomBytes(24));
    const verifier = base64url(randomBytes(32));
    const target = new URL(authorizationEndpoint);
    target.search = new URLSearchParams({
      response_type: 'code',
      client_id: options.clientId,
      redirect_uri: callback,
      scope: 'user:full',
      state,
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    res.writeHead(302, {
      ...baseHeaders,
      location: target.href,
      'set-cookie': stringifySetCookie({ name: stateCookie, value: `${state}.${verifier}`, maxAge: stateLifetimeSeconds, ...cookieBase }),
    });
    res.end();
  }

  async function callbackRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    const [expectedState, verifier] = (parseCookie(req.headers.cookie ?? '')[stateCookie] ?? '').split('.');
    const clearState = stringifySetCookie({ name: stateCookie, value: '', maxAge: 0, ...cookieBase });
    const state = query.get('state') ?? '';
    if (!expectedState || !verifier || !state || !sameSecret(state, expectedState)) {
      return sendHtml(res, 403, errorPage({ title: 'Sign-in refused', detail: 'The sign-in answer does not belong to a sign-in started here (state mismatch). Start again.' }), { 'set-cookie': clearState });
    }
    const code = query.get('code');
    if (!code) {
      const why = query.get('error_description') ?? query.get('error') ?? 'no authorization code';
      return sendHtml(res, 400, errorPage({ title: 'Sign-in failed', detail: why }), { 'set-cookie': clearState });
    }
    const { tokenEndpoint } = await options.endpoints();
    const answer = await options.postForm(tokenEndpoint, new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback,
      client_id: options.clientId,
      client_secret: options.clientSecret,
      code_verifier: verifier,
    }));
    let accessToken: string | undefined;
    let expiresIn: number | undefined;
    try {
      const body = JSON.parse(answer.body) as { access_token?: unknown; expires_in?: unknown };
      if (typeof body.access_token === 'string') accessToken = body.access_token;
      if (typeof body.expires_in === 'number') expiresIn = body.expires_in;
    } catch {
      accessToken = undefined;
    }
    if (answer.status !== 200 || !accessToken) {
      return sendHtml(res, 502, errorPage({ title: 'Sign-in failed', detail: `The OAuth server did not issue a token (HTTP ${answer.status}).` }), { 'set-cookie': clearState });
    }
    res.writeHead(302, {
      ...baseHeaders,
      location: options.basePath,
      'set-cookie': [clearState, stringifySetCookie({ name: bearerCookie, value: accessToken, ...(expiresIn ? { maxAge: expiresIn } : {}), ...cookieBase })],
    });
    res.end();
  }

  function logout(_req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(302, { ...baseHeaders, location: options.basePath, 'set-cookie': stringifySetCookie({ name: bearerCookie, value: '', maxAge: 0, ...cookieBase }) });
    res.end();
  }

  return { login, callback: callbackRoute, logout };
}

/** The signed-in user's own token, when OAuth is on and they signed in. */
export function oauthBearer(req: IncomingMessage): string | undefined {
  const value = parseCookie(req.headers.cookie ?? '')[bearerCookie];
  return value ? value : undefined;
}
