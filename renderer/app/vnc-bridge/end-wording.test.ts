import { describe, expect, it } from 'vitest';
import { bridgeEndInWords } from './end-wording.ts';

describe('bridgeEndInWords', () => {
  it('says why the bridge closed and that a new one is needed', () => {
    expect(bridgeEndInWords({ reason: 'wrong-passwords', attempts: 3 })).toMatch(/^Closed after 3 wrong passwords.* open a new bridge/);
    expect(bridgeEndInWords({ reason: 'failed', error: { code: 'internal', message: 'accept EMFILE' } })).toMatch(/failed .*accept EMFILE.* open a new bridge/);
    expect(bridgeEndInWords({ reason: 'closed' })).toMatch(/is closed .* open a new bridge/);
  });

  it("says a link's expiry as the panel always has", () => {
    expect(bridgeEndInWords({ reason: 'expired' })).toBe('The link has expired: the VNC bridge is closed and its client disconnected.');
  });
});
