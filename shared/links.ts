// Console links in every form that reaches a recipient:
//   query     https://<gateway>/auth/jwt/set?token=…&name=…&namespace=…   (kube-gateway)
//   legacy    https://<gateway>/auth/jwt/set?token=…&then=<path>          (older kube-gateway)
//   fragment  https://<gateway>/open#token=…&name=…&namespace=…[&pin=…]   (Gatepass: the token never reaches a server log)
//   deep link gatepass://open?link=<encoded link of any form above>
// Nothing here changes case: tokens are case-sensitive, and one well-known app
// corrupted them by lower-casing whole URLs.

import { dnsLabelProblem } from './dns-label.ts';
import { parseVncPath } from './kubevirt-paths.ts';
import { checkPath, splitRequestTarget } from './url-policy.ts';

export class LinkError extends Error {
  override name = 'LinkError';
}

export type LinkForm = 'query' | 'fragment' | 'legacy';

export interface ParsedLink {
  /** The gateway's origin, plus the base path it is served under, if any; never a trailing slash. */
  gateway: string;
  token: string;
  name?: string;
  namespace?: string;
  then?: string;
  pin?: string;
  form: LinkForm;
}

export interface GatewayLinkInput {
  gateway: string;
  token: string;
  name: string;
  namespace: string;
  form: 'query' | 'fragment';
  pin?: string;
}

export const DEEP_LINK_PREFIX = 'gatepass://open?link=';
const SET_PATH = '/auth/jwt/set';
const LOGIN_PATH = '/login';
const OPEN_PATH = '/open';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PIN_SHAPE = /^sha256\/([A-Za-z0-9+/]{43}=)$/;

/** Reads a pasted, dropped or deep-linked console link; throws LinkError saying what is wrong. */
export function parseLink(text: string): ParsedLink {
  if (typeof text !== 'string') throw new LinkError('the link is not text');
  const trimmed = text.trim().replace(/^<(.*)>$/s, '$1').trim();
  if (trimmed === '') throw new LinkError('the link is empty');
  if (/^gatepass:/i.test(trimmed)) {
    const inner = unwrapDeepLink(trimmed);
    if (/^gatepass:/i.test(inner)) throw new LinkError('a deep link must wrap an https link, not another deep link');
    return parseWebLink(inner);
  }
  return parseWebLink(trimmed);
}

function unwrapDeepLink(text: string): string {
  const m = /^gatepass:(?:\/\/)?open\/?\?(.*)$/is.exec(text);
  if (!m) throw new LinkError('a gatepass: deep link must look like gatepass://open?link=<link>');
  const query = m[1] ?? '';
  // Some senders do not encode the wrapped link; then everything after
  // "link=" is the link, including its own query and fragment.
  const raw = /^link=(https?:.*)$/is.exec(query);
  if (raw) return raw[1] ?? '';
  const link = readParams(query, 'deep link').get('link');
  if (link === undefined || link.trim() === '') throw new LinkError('the deep link has no link= parameter');
  return link.trim();
}

function parseWebLink(text: string): ParsedLink {
  const url = parseGatewayUrl(text, 'the link');
  const path = url.pathname;
  const endpoint = [SET_PATH, LOGIN_PATH, OPEN_PATH].find((e) => path.endsWith(e));
  if (endpoint === undefined) {
    throw new LinkError(`the link's path ${JSON.stringify(path)} is not a console link (expected ${OPEN_PATH} or ${SET_PATH})`);
  }
  const gateway = url.origin + checkBasePath(path.slice(0, -endpoint.length), 'the link');

  let params: Map<string, string>;
  if (endpoint === OPEN_PATH) {
    if (url.hash === '' && url.search !== '') {
      throw new LinkError(`an ${OPEN_PATH} link carries its token in the fragment (#token=…), not in the query (?token=…)`);
    }
    params = readParams(url.hash.slice(1), 'link fragment');
  } else {
    params = readParams(url.search.slice(1), 'link query');
  }

  const tokenParam = params.get('token');
  if (tokenParam === undefined || tokenParam === '') throw new LinkError('the link has no token');
  const token = stripQuotes(tokenParam);
  checkToken(token);

  const link: ParsedLink = { gateway, token, form: endpoint === OPEN_PATH ? 'fragment' : 'query' };
  const name = params.get('name');
  const namespace = params.get('namespace');
  if ((name === undefined) !== (namespace === undefined)) {
    throw new LinkError(`the link has a ${name === undefined ? 'namespace' : 'name'} but no ${name === undefined ? 'name' : 'namespace'}`);
  }
  if (name !== undefined && namespace !== undefined) {
    link.name = checkLabel(name, 'name');
    link.namespace = checkLabel(namespace, 'namespace');
  }
  const then = params.get('then');
  if (then !== undefined) link.then = checkThen(then);
  const pin = params.get('pin');
  if (pin !== undefined) link.pin = checkPin(pin);

  if (link.name === undefined) {
    if (link.then === undefined) throw new LinkError('the link does not say which VM it opens: it needs name and namespace');
    link.form = 'legacy';
    const target = vncTargetOf(link.then);
    if (target !== undefined) {
      link.name = target.name;
      link.namespace = target.namespace;
    }
  }
  return link;
}

/** Parses and checks a gateway URL: https, or http for a loopback host only; no credentials. */
function parseGatewayUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LinkError(`${what} is not a URL (it should start with https://)`);
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      throw new LinkError(`${what} uses http://, which is only allowed for localhost, 127.0.0.1 and [::1]; use https://`);
    }
  } else if (url.protocol !== 'https:') {
    throw new LinkError(`${what} must be an https:// URL, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') throw new LinkError(`${what} must not carry a user name or password`);
  return url;
}

function checkBasePath(base: string, what: string): string {
  if (base === '') return '';
  const problem = base.endsWith('/') ? 'ends with "/"' : checkPath(base);
  if (problem !== undefined) throw new LinkError(`${what}'s base path ${JSON.stringify(base)} is not usable: it ${problem}`);
  return base;
}

/**
 * The gateway address as links use it: origin plus optional base path, no
 * trailing slash. Throws LinkError when it is not a usable gateway URL.
 */
export function normaliseGatewayUrl(gateway: string): string {
  const url = parseGatewayUrl(typeof gateway === 'string' ? gateway.trim() : gateway, 'the gateway address');
  if (url.search !== '' || url.hash !== '') throw new LinkError('the gateway address must not have a query or fragment');
  return url.origin + checkBasePath(url.pathname.replace(/\/$/, ''), 'the gateway address');
}

/** Query or fragment parameters, decoded without turning "+" into a space (tokens and pins keep theirs). */
function readParams(text: string, where: string): Map<string, string> {
  const params = new Map<string, string>();
  if (text === '') return params;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq), where);
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1), where);
    if (params.has(key)) throw new LinkError(`the ${where} has "${key}" more than once`);
    params.set(key, value);
  }
  return params;
}

function decode(text: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new LinkError(`the ${where} has malformed percent-encoding in ${JSON.stringify(text)}`);
  }
}

/** Tokens copied from `jq .Token` arrive wrapped in quotes. */
function stripQuotes(token: string): string {
  const m = /^(["'])(.*)\1$/s.exec(token.trim());
  return (m ? (m[2] ?? '') : token).trim();
}

function checkToken(token: string): void {
  if (token === '') throw new LinkError('the link has no token');
  if (!JWT_SHAPE.test(token)) {
    throw new LinkError('the token is not a signed JWT (three base64url parts separated by dots); was the link cut short?');
  }
}

function checkLabel(value: string, what: 'name' | 'namespace'): string {
  const problem = dnsLabelProblem(value);
  if (problem !== undefined) throw new LinkError(`the link's ${what} ${JSON.stringify(value)} is not a valid Kubernetes name: it ${problem}`);
  return value;
}

function checkThen(then: string): string {
  const problem = then.startsWith('/') ? checkPath(splitRequestTarget(then).path) : 'does not start with "/"';
  if (problem !== undefined) throw new LinkError(`the link's then= path ${JSON.stringify(then)} is not usable: it ${problem}`);
  return then;
}

function checkPin(pin: string): string {
  const m = PIN_SHAPE.exec(pin);
  if (!m || base64Bytes(m[1] ?? '')?.length !== 32) {
    throw new LinkError(`the link's pin ${JSON.stringify(pin)} is not sha256/<base64 of a 32-byte SPKI hash>`);
  }
  return pin;
}

/** The VMI an older link's then= path opens: the path itself or its `path=` parameter (the viewer page's). */
function vncTargetOf(then: string): { name: string; namespace: string } | undefined {
  const { path, query } = splitRequestTarget(then);
  const candidates = [path];
  const viewerPath = new URLSearchParams(query).get('path');
  if (viewerPath !== null) candidates.push(viewerPath.startsWith('/') ? viewerPath : `/${viewerPath}`);
  for (const candidate of candidates) {
    const at = candidate.indexOf('/apis/subresources.kubevirt.io/');
    const target = at === -1 ? undefined : parseVncPath(candidate.slice(at));
    if (target !== undefined) return { name: target.name, namespace: target.namespace };
  }
  return undefined;
}

/** A console link for a gateway: the fragment form for Gatepass, the query form for kube-gateway. */
export function buildGatewayLink(input: GatewayLinkInput): string {
  const base = normaliseGatewayUrl(input.gateway);
  checkToken(input.token);
  const fields: [string, string][] = [
    ['token', input.token],
    ['name', checkLabel(input.name, 'name')],
    ['namespace', checkLabel(input.namespace, 'namespace')],
  ];
  if (input.pin !== undefined) fields.push(['pin', checkPin(input.pin)]);
  const encoded = fields.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  if (input.form === 'fragment') return `${base}${OPEN_PATH}#${encoded}`;
  if (input.form === 'query') return `${base}${SET_PATH}?${encoded}`;
  throw new LinkError(`unknown link form ${JSON.stringify(input.form)} (expected "query" or "fragment")`);
}

/** A gatepass:// deep link wrapping a console link, which must itself parse. */
export function buildDeepLink(link: string): string {
  const trimmed = typeof link === 'string' ? link.trim() : link;
  if (/^gatepass:/i.test(trimmed)) throw new LinkError('the link is already a deep link');
  parseLink(trimmed);
  return DEEP_LINK_PREFIX + encodeURIComponent(trimmed);
}

/**
 * The JWT payload, decoded but NOT verified: only for showing a recipient what
 * a link claims. Never base a decision on it.
 */
export function decodeClaimsUnverified(token: string): Record<string, unknown> {
  const clean = typeof token === 'string' ? stripQuotes(token) : token;
  checkToken(clean);
  const bytes = base64Bytes(clean.split('.')[1] ?? '', true);
  let payload: unknown;
  try {
    if (bytes === undefined) throw new Error('not base64url');
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new LinkError("the token's payload is not base64url-encoded JSON");
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new LinkError("the token's payload is not a JSON object");
  }
  return payload as Record<string, unknown>;
}

function base64Bytes(text: string, url = false): Uint8Array | undefined {
  const standard = url ? text.replace(/-/g, '+').replace(/_/g, '/') : text;
  if (standard.length % 4 === 1) return undefined;
  try {
    const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, '='));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
