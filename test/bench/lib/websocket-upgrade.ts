// The client's side of a websocket's HTTP upgrade (RFC 6455 §4.1), for a
// channel that owns its socket from the first byte: the request, and what the
// server's answer must say for the socket to carry websocket frames. No
// extension is offered, so every frame arrives as the server framed it.
// Subprotocols can carry a bearer token: no message here quotes one.
import { randomBytes } from 'node:crypto';
import { websocketAccept } from '../../../gateway/console/upstream-console.ts';

/** A longer answer head than this is not a websocket server's. */
export const MAX_ANSWER_HEAD_BYTES = 16 * 1024;

export interface UpgradeRequest {
  /** The request's head, to be written as it is. */
  text: string;
  /** The Sec-WebSocket-Key sent, which the answer must acknowledge. */
  key: string;
}

/** A GET upgrading `url` (ws: or wss:) to a websocket, offering `protocols`, with `headers` besides. */
export function upgradeRequest(url: URL, protocols: readonly string[], headers: Readonly<Record<string, string>> = {}): UpgradeRequest {
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`a websocket URL starts with ws: or wss:, not ${url.protocol}`);
  const key = randomBytes(16).toString('base64');
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${key}`,
    ...(protocols.length > 0 ? [`Sec-WebSocket-Protocol: ${protocols.join(', ')}`] : []),
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return { text: `${lines.join('\r\n')}\r\n\r\n`, key };
}

export type UpgradeAnswer =
  | { upgraded: true; /** The subprotocol the server chose, if it was offered any. */ protocol: string | undefined }
  | { upgraded: false; why: string };

/** Judges the answer's head (up to, not including, its blank line) to the request that sent `key` offering `protocols`. */
export function upgradeAnswer(head: string, key: string, protocols: readonly string[]): UpgradeAnswer {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(`${statusLine} `)?.[1];
  if (status === undefined) return { upgraded: false, why: 'the server did not answer in HTTP/1.1' };
  if (status !== '101') return { upgraded: false, why: `HTTP ${status}` };
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const refuse = (why: string): UpgradeAnswer => ({ upgraded: false, why });
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') return refuse('the server did not upgrade to a websocket');
  if (headers.get('sec-websocket-accept') !== websocketAccept(key)) return refuse('the server answered the websocket key wrongly');
  if (headers.has('sec-websocket-extensions')) return refuse('the server chose a websocket extension that was not offered');
  const protocol = headers.get('sec-websocket-protocol');
  if (protocols.length > 0 && protocol === undefined) return refuse('the server chose none of the subprotocols offered');
  if (protocol !== undefined && !protocols.includes(protocol)) return refuse('the server chose a subprotocol that was not offered');
  return { upgraded: true, protocol };
}
