import { describe, expect, it } from 'vitest';
import { refusalWords } from './permission-wording.ts';

describe('refusalWords', () => {
  it('says nothing when sharing is allowed', () => {
    expect(refusalWords({ allowed: true })).toBeUndefined();
  });

  it('heads a console refusal with what it means for sharing, and keeps the reason as a sentence', () => {
    expect(refusalWords({ allowed: false, why: 'console', error: { code: 'forbidden', message: 'the API server does not let you get virtualmachineinstances/vnc of "build-7"' } })).toEqual({
      heading: "You may not open this VM's console, so you cannot share it.",
      reason: 'The API server does not let you get virtualmachineinstances/vnc of "build-7"',
    });
  });

  it('gives a signing-key refusal as main words it, which already says no links may be issued here', () => {
    expect(refusalWords({ allowed: false, why: 'signing-key', error: { code: 'forbidden', message: 'you may not issue links in this cluster: reading the key is not allowed' } })).toEqual({
      reason: 'You may not issue links in this cluster: reading the key is not allowed',
    });
  });
});
