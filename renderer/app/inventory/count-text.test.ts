import { describe, expect, it } from 'vitest';
import { countText } from './count-text.ts';

describe('countText', () => {
  it('says loading before the first page, and beside the count while more pages come', () => {
    expect(countText(0, 0, 'loading', 'en-US')).toBe('Loading…');
    expect(countText(100, 100, 'loading', 'en-US')).toBe('100 of 100 VMs · loading…');
    expect(countText(3, 2500, 'loading', 'en-US')).toBe('3 of 2,500 VMs · loading…');
  });

  it('is the plain count once every page is in, and says when the watch is reconnecting', () => {
    expect(countText(10_004, 10_004, 'live', 'en-US')).toBe('10,004 of 10,004 VMs');
    expect(countText(0, 0, 'live', 'en-US')).toBe('0 of 0 VMs');
    expect(countText(7, 10, 'reconnecting', 'en-US')).toBe('7 of 10 VMs · reconnecting…');
    expect(countText(7, 10, 'error', 'en-US')).toBe('7 of 10 VMs');
  });
});
