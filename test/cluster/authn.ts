import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  username: string;
  groups: string[];
}

const WS_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export type AuthResult = { user: UserInfo } | { error: 'no credentials' | 'unknown token' };

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] };
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Bearer tokens (header, or the websocket subprotocol Kubernetes accepts) and client certificates signed by the cluster CA. */
export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, withAuthenticatedGroup(user));
  }

  fromToken(token: string): UserInfo | undefined {
    return this.tokens.get(token);
  }

  authenticate(req: IncomingMessage): AuthResult {
    const token = bearerToken(req);
    if (token !== undefined) {
      const user = this.tokens.get(token);
      return user ? { user } : { error: 'unknown token' };
    }
    const socket = req.socket as TLSSocket;
    // rejectUnauthorized is off so token clients without certificates can connect;
    // `authorized` says whether the presented certificate chains to our CA.
    if (typeof socket.getPeerCertificate === 'function' && socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = asList(cert.subject?.CN)[0];
      if (cn) return { user: withAuthenticatedGroup({ username: cn, groups: asList(cert.subject.O) }) };
    }
    return { error: 'no credentials' };
  }
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : header;
  }
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const carried = protocols.find((p) => p.startsWith(WS_BEARER_PREFIX));
  if (carried === undefined) return undefined;
  return Buffer.from(carried.slice(WS_BEARER_PREFIX.length), 'base64url').toString('utf8');
}
