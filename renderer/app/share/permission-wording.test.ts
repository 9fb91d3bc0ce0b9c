import { describe, expect, it } from 'vitest';
import { explainError } from '../error-wording.ts';
import { refusalAttempt } from './permission-wording.ts';

describe('refusalAttempt', () => {
  it('words a console refusal as what it means for sharing', () => {
    expect(explainError(refusalAttempt('console'), { code: 'forbidden' })).toBe("You may not open this VM's console, so you cannot share it.");
  });

  it('words a signing-key refusal as no links in this cluster at all', () => {
    expect(explainError(refusalAttempt('signing-key'), { code: 'forbidden' })).toBe('You may not issue links in this cluster.');
  });
});
