import { describe, expect, it } from 'vitest';
import { closeReason, explainUpstreamStatus, refusalCode } from './close-codes.ts';

describe('refusalCode', () => {
  it.each([
    [{ reason: 'expired', status: 401 }, 4410],
    [{ reason: 'invalid', status: 401 }, 4401],
    [{ reason: 'revoked', status: 401 }, 4401],
    [{ reason: 'path', status: 403 }, 4403],
    [{ reason: 'ambiguous', status: 400 }, 4403],
    [{ reason: 'too-large', status: 431 }, 4403],
    // The gateway has no public key yet: the link may be fine, so the viewer retries.
    [{ reason: 'no-keys', status: 503 }, 1013],
  ])('reads %o as %i', (decision, code) => {
    expect(refusalCode(decision)).toBe(code);
  });
});

describe('explainUpstreamStatus and closeReason', () => {
  it('says in words why KubeVirt refused, within the close frame limit', () => {
    expect(explainUpstreamStatus(503)).toEqual({ code: 4409, reason: 'someone else is using this console' });
    expect(explainUpstreamStatus(418).code).toBe(1011);
    expect(Buffer.byteLength(closeReason('é'.repeat(200)))).toBeLessThanOrEqual(120);
  });
});
