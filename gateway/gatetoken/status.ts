// The status a GateToken reports: phase Ready with the token and its data, or
// phase Error with no token; either way one standard `Ready` condition saying
// why, for the spec generation it judged.

import type { Condition, GateToken, GateTokenData, GateTokenStatus } from './gatetoken.ts';

export const READY = 'Ready';
export const TOKEN_CREATED = 'TokenCreated';

/** Not about the spec: the key could not be read or used; worth trying again later. */
export type TransientReason = 'PrivateKeyError';

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readyCondition(token: GateToken, status: Condition['status'], reason: string, message: string, now: number): Condition {
  const previous = token.status?.conditions?.find((c) => c.type === READY);
  return {
    type: READY,
    status,
    reason,
    message,
    // As metav1.Condition means it: when the status last flipped, not when it was last written.
    lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : isoSeconds(now),
    ...(token.metadata.generation !== undefined ? { observedGeneration: token.metadata.generation } : {}),
  };
}

function otherConditions(token: GateToken): Condition[] {
  return (token.status?.conditions ?? []).filter((c) => c.type !== READY);
}

export function readyStatus(token: GateToken, jwt: string, data: GateTokenData, now: number): GateTokenStatus {
  const message = `token signed for ${data.urls.length} URL pattern${data.urls.length === 1 ? '' : 's'}, valid from ${data.from} until ${data.until}`;
  return { token: jwt, data, phase: 'Ready', conditions: [...otherConditions(token), readyCondition(token, 'True', TOKEN_CREATED, message, now)] };
}

export function errorStatus(token: GateToken, reason: string, message: string, now: number): GateTokenStatus {
  return { phase: 'Error', conditions: [...otherConditions(token), readyCondition(token, 'False', reason, message, now)] };
}

/** The Ready condition, when it judged the GateToken's current spec. */
export function currentVerdict(token: GateToken): Condition | undefined {
  const ready = token.status?.conditions?.find((c) => c.type === READY);
  if (!ready) return undefined;
  return ready.observedGeneration === undefined || ready.observedGeneration === token.metadata.generation ? ready : undefined;
}
