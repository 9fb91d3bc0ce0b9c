import { describe, expect, it } from 'vitest';
import { initialStateFor, instantMs } from './session.ts';

const from = '2030-01-01T10:00:00Z';
const until = '2030-01-01T11:00:00Z';
const at = (iso: string) => Date.parse(iso);

describe('initialStateFor', () => {
  it('connects when there is nothing to check, or the link is valid now', () => {
    expect(initialStateFor(undefined, 0).kind).toBe('connecting');
    expect(initialStateFor({ from, until }, at('2030-01-01T10:30:00Z')).kind).toBe('connecting');
  });

  it('does not connect before the link is valid, and remembers when it will be', () => {
    expect(initialStateFor({ from, until }, at('2030-01-01T09:59:59Z'))).toEqual({ kind: 'not-yet-valid', from: at(from), detail: undefined });
  });

  it('does not connect once the link has expired', () => {
    expect(initialStateFor({ from, until }, at(until)).kind).toBe('expired');
  });

  it('accepts Dates and milliseconds too', () => {
    expect(initialStateFor({ until: new Date(at(until)) }, at(until) + 1).kind).toBe('expired');
    expect(initialStateFor({ from: at(from) }, at(from) - 1).kind).toBe('not-yet-valid');
  });
});

describe('instantMs', () => {
  it('rejects something that is not a date, naming it', () => {
    expect(() => instantMs('soon', 'until')).toThrow(/until "soon" is not a valid date/);
    expect(() => instantMs(Number.NaN, 'from')).toThrow(/from/);
  });
});
