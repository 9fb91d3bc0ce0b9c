import type { IncomingMessage } from 'node:http';
import { tokenCandidates, type TokenSource } from './token-sources.ts';
import type { Decision, Reject, RequestTarget, Verify } from './verify.ts';

export type { Decision, RequestTarget };
export type TokenCheck = Verify;
export type Authorized = Decision & { source?: TokenSource };

const revoked: Reject = { allow: false, status: 401, reason: 'revoked', message: 'this link has been revoked' };

/**
 * The verifier's decision with the revocation list on top. The list is asked
 * on every check, after the verifier: whatever the verifier remembers about a
 * token, a revocation takes effect with the next request.
 */
export function refusingRevoked(verify: Verify, isRevoked: (tokenId: string | undefined) => boolean): TokenCheck {
  return async (token, target) => {
    const decision = await verify(token, target);
    if (decision.allow && isRevoked(decision.claims.jti ?? decision.claims.id)) return revoked;
    return decision;
  };
}

const noToken: Decision = {
  allow: false,
  status: 401,
  reason: 'malformed',
  message: 'no token: open the console through its link, or send Authorization: Bearer <token>',
};

/**
 * Tries every token the request carries and allows it if one of them allows
 * it: a browser may hold one cookie per console. When none does, the refusal of
 * the first token is reported, since it is the one the client meant.
 */
export async function authorizeRequest(check: TokenCheck, req: IncomingMessage, target: RequestTarget): Promise<Authorized> {
  const candidates = tokenCandidates(req);
  let first: Authorized | undefined;
  for (const candidate of candidates) {
    const decision = await check(candidate.token, target);
    if (decision.allow) return withSource(decision, candidate.source);
    first ??= withSource(decision, candidate.source);
  }
  return first ?? noToken;
}

/**
 * The decision and where its token came from, built field by field: a spread
 * made V8 derive a new hidden class on every request (a runtime call each
 * time, and megamorphic property reads wherever the decision went next).
 */
function withSource(decision: Decision, source: TokenSource): Authorized {
  return decision.allow
    ? { allow: true, claims: decision.claims, kid: decision.kid, viewOnly: decision.viewOnly, source }
    : { allow: false, status: decision.status, reason: decision.reason, message: decision.message, source };
}
