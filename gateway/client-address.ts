// Who a request comes from. Behind an Ingress or a Route the socket's peer is
// the proxy, and the real client is in X-Forwarded-For or Forwarded — headers
// anyone can write. So they are believed only when the peer is a proxy the
// operator named (`--trusted-proxies`), and only as far back as the chain of
// trusted hops goes: walking from the right, the first address that is not a
// trusted proxy is the client, and everything to its left is whatever that
// client chose to send.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export class TrustedProxiesError extends Error {
  override readonly name = 'TrustedProxiesError';
}

/** `10.0.0.0/8`, `fd00::/8` or a single address; throws with a message naming the bad value. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [rawAddress = '', prefixText, extra] = text.trim().split('/');
  const address = unmapped(rawAddress);
  const version = isIP(address);
  if (version === 0 || extra !== undefined) throw new TrustedProxiesError(`${JSON.stringify(text)} is not an address or CIDR range (such as 10.0.0.0/8 or fd00::/8)`);
  const bits = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: bits, family: version === 4 ? 'ipv4' : 'ipv6' };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) throw new TrustedProxiesError(`${JSON.stringify(text)} has a prefix length outside 0–${bits}`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:10.1.2.3` → `10.1.2.3`: a dual-stack socket reports IPv4 peers in this form. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** One hop as a proxy wrote it: an address, maybe with a port or in brackets; undefined when it is none. */
function hopAddress(text: string): string | undefined {
  let value = text.trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  value = unmapped(value);
  return isIP(value) === 0 ? undefined : value;
}

/** Splits on commas outside double quotes (RFC 7239 quoted strings may hold commas). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The hops of an X-Forwarded-For header, left (farthest) to right (nearest); undefined marks one that is no address. */
export function xForwardedForHops(header: string): (string | undefined)[] {
  return header.split(',').map(hopAddress);
}

/** The `for=` hops of a Forwarded header (RFC 7239); an element without one, or with `unknown` or `_hidden`, is no address. */
export function forwardedHops(header: string): (string | undefined)[] {
  return splitOutsideQuotes(header, ',').map((element) => {
    const pairs = splitOutsideQuotes(element, ';').map((pair) => pair.trim());
    const forPair = pairs.find((pair) => /^for=/i.test(pair));
    return forPair === undefined ? undefined : hopAddress(forPair.slice(4));
  });
}

const headerText = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

export interface ClientAddressOptions {
  /** `--trusted-proxies`: ranges whose forwarding headers are believed; none: the socket's peer is the client. */
  trustedProxies: readonly string[];
}

/**
 * A function from a request to its client's address. Without trusted proxies
 * it is the socket's peer, as it always was. With them, a trusted peer's
 * X-Forwarded-For or Forwarded is walked from the right past trusted hops; a
 * hop that is no address stops the walk at the last hop that vouched for it.
 * When both headers are present and tell different stories, neither is
 * believed: a proxy that appends to only one of them passes the other through
 * as the client wrote it.
 */
export function clientAddressOf(options: ClientAddressOptions): (req: IncomingMessage) => string | undefined {
  if (options.trustedProxies.length === 0) return (req) => req.socket.remoteAddress;
  const trusted = new BlockList();
  for (const range of options.trustedProxies) {
    const { address, prefix, family } = parseCidr(range);
    trusted.addSubnet(address, prefix, family);
  }
  const isTrusted = (address: string): boolean => trusted.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');

  const walk = (peer: string, hops: (string | undefined)[]): string => {
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i];
      if (hop === undefined) return client;
      client = hop;
      if (!isTrusted(hop)) return client;
    }
    return client;
  };

  return (req) => {
    const raw = req.socket.remoteAddress;
    if (raw === undefined) return undefined;
    const peer = unmapped(raw);
    if (isIP(peer) === 0 || !isTrusted(peer)) return raw;
    const xff = headerText(req.headers['x-forwarded-for']);
    const forwarded = headerText(req.headers['forwarded']);
    const fromXff = xff === undefined ? undefined : walk(peer, xForwardedForHops(xff));
    const fromForwarded = forwarded === undefined ? undefined : walk(peer, forwardedHops(forwarded));
    if (fromXff !== undefined && fromForwarded !== undefined && fromXff !== fromForwarded) return peer;
    return fromXff ?? fromForwarded ?? peer;
  };
}
