import { describe, expect, it } from 'vitest';
import type { ConsoleKind } from '../../../shared/desktop-api.ts';
import { describeConsoles, describeGrant, describeRange, humanDuration } from './grant-wording.ts';
import type { FormatInstant } from './grant-wording.ts';

// A formatter free of the machine's locale: local clock time, and the local date when asked.
const format: FormatInstant = (ms, withDate) => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return withDate ? `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}` : time;
};

const at = (h: number, m: number, day = 10) => new Date(2030, 4, day, h, m);

describe('humanDuration', () => {
  it('names the two largest units', () => {
    expect(humanDuration(3_600_000)).toBe('1 hour');
    expect(humanDuration(5_400_000)).toBe('1 hour 30 minutes');
    expect(humanDuration(15 * 60_000)).toBe('15 minutes');
    expect(humanDuration(24 * 3_600_000)).toBe('1 day');
    expect(humanDuration(2 * 86_400_000 + 3 * 3_600_000 + 5 * 60_000)).toBe('2 days 3 hours');
    expect(humanDuration(45_000)).toBe('45 seconds');
    expect(humanDuration(0)).toBe('0 seconds');
  });

  it('stops at a gap rather than skipping to a smaller unit', () => {
    expect(humanDuration(86_400_000 + 60_000)).toBe('1 day');
  });

  it('refuses negative and non-finite lengths', () => {
    expect(() => humanDuration(-1)).toThrow(RangeError);
    expect(() => humanDuration(Number.NaN)).toThrow(RangeError);
  });
});

describe('describeGrant', () => {
  it('says exactly what a view-only link grants and until when', () => {
    const text = describeGrant(
      { name: 'web-1', namespace: 'team-a', from: at(14, 2).toISOString(), until: at(15, 2).toISOString(), viewOnly: true, singleUse: false },
      at(14, 2).getTime(),
      format,
    );
    expect(text).toBe('Console of web-1 in team-a, view-only, from 14:02 until 15:02 (1 hour)');
  });

  it('mentions full control and single use', () => {
    const text = describeGrant(
      { name: 'db', namespace: 'prod', from: at(9, 0).toISOString(), until: at(9, 15).toISOString(), viewOnly: false, singleUse: true },
      at(8, 0).getTime(),
      format,
    );
    expect(text).toBe('Console of db in prod, keyboard and mouse, single use, from 09:00 until 09:15 (15 minutes)');
  });
});

describe('what a link opens', () => {
  const grant = { name: 'web-1', namespace: 'team-a', from: at(14, 2).toISOString(), until: at(15, 2).toISOString(), viewOnly: false, singleUse: false };

  it('starts the grant with the consoles it opens', () => {
    const start = (consoles?: ConsoleKind[]) => describeGrant({ ...grant, ...(consoles ? { consoles } : {}) }, at(14, 2).getTime(), format).split(' of ')[0];
    expect(start()).toBe('Console');
    expect(start(['vnc'])).toBe('Console');
    expect(start(['serial'])).toBe('Serial console');
    expect(start(['vnc', 'serial'])).toBe('Screen and serial console');
  });

  it('grants the keyboard alone on a serial console, which has no mouse', () => {
    const access = (consoles: ConsoleKind[], viewOnly = false) => describeGrant({ ...grant, viewOnly, consoles }, at(14, 2).getTime(), format).split(', ')[1];
    expect(access(['serial'])).toBe('keyboard');
    expect(access(['vnc', 'serial'])).toBe('keyboard and mouse');
    expect(access(['serial'], true)).toBe('view-only');
  });

  it('names each console a received link claims', () => {
    expect(describeConsoles(['vnc'])).toBe('the screen (VNC)');
    expect(describeConsoles(['serial'])).toBe('the serial console');
    expect(describeConsoles(['vnc', 'serial'])).toBe('the screen (VNC) and the serial console');
  });
});

describe('describeRange', () => {
  it('adds dates when the range leaves today', () => {
    expect(describeRange(at(20, 0).toISOString(), at(20, 0, 11).toISOString(), at(19, 0).getTime(), format))
      .toBe('from 2030-05-10 20:00 until 2030-05-11 20:00 (1 day)');
  });

  it('refuses an unreadable time', () => {
    expect(() => describeRange('soon', at(1, 0).toISOString(), 0, format)).toThrow(/not a valid time range/);
  });
});
