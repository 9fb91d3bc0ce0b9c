import { describe, expect, it } from 'vitest';
import type { LinkSummary } from '../../../shared/desktop-api.ts';
import { claimRows, consoleTitle, defaultConsole, droppedText, sessionOf } from './claims.ts';

const format = (ms: number, withDate: boolean) => `${withDate ? 'D ' : ''}${new Date(ms).toISOString().slice(11, 16)}Z`;
const now = Date.parse('2030-01-01T12:00:00Z');

const summary: LinkSummary = {
  gateway: 'https://gw.example/open', gatewayHost: 'gw.example', namespace: 'team-a', name: 'web-1',
  from: '2030-01-01T12:00:00Z', until: '2030-01-01T13:00:00Z', viewOnly: true, singleUse: false, label: 'Ticket 7', form: 'fragment', consoles: ['vnc'],
};

describe('claimRows', () => {
  it('lists what the link claims', () => {
    const rows = claimRows(summary, now, format);
    const byTerm = Object.fromEntries(rows.map((r) => [r.term, r.value]));
    expect(byTerm.VM).toBe('web-1');
    expect(byTerm.Namespace).toBe('team-a');
    expect(byTerm.Gateway).toBe('gw.example');
    expect(byTerm.Access).toBe('view-only');
    expect(byTerm.Label).toBe('Ticket 7');
    expect(byTerm.Valid).toMatch(/until .* \(1 hour\)$/);
    expect(byTerm['Issued by']).toBeUndefined();
  });

  it('says what the link leaves out', () => {
    const bare: LinkSummary = { gateway: 'https://kg.example', gatewayHost: 'kg.example', viewOnly: false, singleUse: false, form: 'legacy', pin: 'sha256/abc', consoles: ['vnc'] };
    const byTerm = Object.fromEntries(claimRows(bare, now, format).map((r) => [r.term, r.value]));
    expect(byTerm.VM).toBe('not named in the link');
    expect(byTerm.Valid).toBe('no times in the link');
    expect(byTerm.Access).toBe('keyboard and mouse');
    expect(byTerm['Gateway certificate']).toBe('pinned (sha256/abc)');
  });

  it('says when the claimed times have passed or not yet begun', () => {
    const valid = (overrides: Partial<LinkSummary>) => claimRows({ ...summary, ...overrides }, now, format).find((r) => r.term === 'Valid')?.value;
    expect(valid({ from: '2030-01-01T10:00:00Z', until: '2030-01-01T11:00:00Z' })).toBe('from 10:00Z until 11:00Z (1 hour) — expired');
    expect(valid({ from: undefined, until: '2030-01-01T12:00:00Z' })).toBe('until D 12:00Z — expired');
    expect(valid({ from: '2030-01-01T12:30:00Z', until: '2030-01-01T13:00:00Z' })).toBe('from 12:30Z until 13:00Z (30 minutes) — not yet valid');
    expect(valid({ from: '2030-01-01T12:30:00Z', until: undefined })).toBe('from D 12:30Z, with no end in the link — not yet valid');
    expect(valid({})).not.toMatch(/expired|not yet/);
  });

  it('says which consoles the link opens', () => {
    const opens = (consoles: LinkSummary['consoles']) => claimRows({ ...summary, consoles }, now, format).find((r) => r.term === 'Opens')?.value;
    expect(opens(['vnc'])).toBe('the screen (VNC)');
    expect(opens(['serial'])).toBe('the serial console');
    expect(opens(['vnc', 'serial'])).toBe('the screen (VNC) and the serial console');
  });

  it('shows an end without a start', () => {
    const rows = claimRows({ ...summary, from: undefined }, now, format);
    expect(rows.find((r) => r.term === 'Valid')?.value).toBe('until D 13:00Z');
  });
});

describe('sessionOf and consoleTitle', () => {
  it('passes the claimed times and view-only on to the viewer', () => {
    expect(sessionOf(summary)).toEqual({ from: summary.from, until: summary.until, viewOnly: true });
    expect(sessionOf({ ...summary, from: undefined, until: undefined })).toEqual({ viewOnly: true });
  });

  it('names the console by VM and namespace, else by gateway', () => {
    expect(consoleTitle(summary)).toBe('web-1 in team-a');
    expect(consoleTitle({ gatewayHost: 'gw.example', name: undefined, namespace: undefined })).toBe('Console via gw.example');
  });

  it('says when the console is the serial one', () => {
    expect(consoleTitle(summary, 'serial')).toBe('web-1 in team-a · serial console');
    expect(consoleTitle({ gatewayHost: 'gw.example', name: undefined, namespace: undefined }, 'serial')).toBe('Serial console via gw.example');
  });

  it('connects to the screen first when the link grants it, else to what it grants', () => {
    expect(defaultConsole({ consoles: ['vnc', 'serial'] })).toBe('vnc');
    expect(defaultConsole({ consoles: ['serial'] })).toBe('serial');
    expect(defaultConsole({ consoles: ['vnc'] })).toBe('vnc');
  });
});

describe('droppedText', () => {
  const drop = (data: Record<string, string>) => (type: string) => data[type] ?? '';
  it('prefers the first URL of a uri-list', () => {
    expect(droppedText(drop({ 'text/uri-list': '# from a mail\r\nhttps://gw.example/open#token=a\r\nhttps://other', 'text/plain': 'x' }))).toBe('https://gw.example/open#token=a');
  });

  it('falls back to trimmed plain text', () => {
    expect(droppedText(drop({ 'text/plain': '  gatepass://open?link=x \n' }))).toBe('gatepass://open?link=x');
    expect(droppedText(drop({}))).toBe('');
  });
});
