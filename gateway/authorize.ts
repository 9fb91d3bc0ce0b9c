import type { IncomingMessage } from 'node:http';
import { tokenCandidates, type TokenSource } from './token-sources.ts';
import type { Decision, RequestTarget, Verify } from './verify.ts';

export type { Decision, RequestTarget };
export type TokenCheck = Verify;
export type Authorized = Decision & { source?: TokenSource };

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
    if (decision.allow) return { ...decision, source: candidate.source };
    first ??= { ...decision, source: candidate.source };
  }
  return first ?? noToken;
}
