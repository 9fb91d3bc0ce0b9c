import { describe, expect, it } from 'vitest';
import type { IssuedLink } from '../../../shared/desktop-api.ts';
import { anyCounting, filterLinks, linkCountdown, linkStatus } from './issued-links.ts';

const base = Date.parse('2030-01-01T12:00:00Z');
const minutes = (n: number) => new Date(base + n * 60_000).toISOString();

function issued(id: string, fromMin: number, untilMin: number, overrides: Partial<IssuedLink> = {}): IssuedLink {
  return {
    id, context: 'admin', namespace: 'team-a', name: `vm-${id}`, from: minutes(fromMin), until: minutes(untilMin),
    options: { viewOnly: false, singleUse: false }, consoles: ['vnc'], gateway: 'https://gw.example', issuedBy: 'alice', canCopyAgain: true, revoked: false,
    ...overrides,
  };
}

describe('linkStatus and linkCountdown', () => {
  it('counts down an active link', () => {
    const link = issued('a', -1, 15);
    expect(linkStatus(link, base)).toBe('active');
    expect(linkCountdown(link, base)).toBe('Expires in 15:00');
    expect(linkCountdown(link, base + 1)).toBe('Expires in 15:00');
    expect(linkCountdown(link, base + 1000)).toBe('Expires in 14:59');
  });

  it('counts to the start of a scheduled link', () => {
    const link = issued('b', 120, 180);
    expect(linkStatus(link, base)).toBe('scheduled');
    expect(linkCountdown(link, base)).toBe('Starts in 2:00:00');
  });

  it('says expired at the exact end, and revoked over anything else', () => {
    expect(linkCountdown(issued('c', -60, 0), base)).toBe('Expired');
    expect(linkCountdown(issued('d', -1, 60, { revoked: true }), base)).toBe('Revoked');
  });
});

describe('filterLinks', () => {
  const links = [
    issued('1', -10, 50, { name: 'web-1', label: 'Support ticket 42' }),
    issued('2', -5, 50, { name: 'db-1', namespace: 'prod' }),
    issued('3', -20, 50, { name: 'web-2', context: 'staging' }),
  ];

  it('lists newest first without a filter', () => {
    expect(filterLinks(links, '').map((l) => l.id)).toEqual(['2', '1', '3']);
  });

  it('matches the VM, label, namespace and context case-insensitively', () => {
    expect(filterLinks(links, 'web').map((l) => l.id)).toEqual(['1', '3']);
    expect(filterLinks(links, 'TICKET 42').map((l) => l.id)).toEqual(['1']);
    expect(filterLinks(links, 'prod').map((l) => l.id)).toEqual(['2']);
    expect(filterLinks(links, 'staging web').map((l) => l.id)).toEqual(['3']);
    expect(filterLinks(links, 'nope')).toEqual([]);
  });
});

describe('anyCounting', () => {
  it('is true only while a link is active or scheduled', () => {
    expect(anyCounting([issued('a', -60, -1), issued('b', -1, 5, { revoked: true })], base)).toBe(false);
    expect(anyCounting([issued('a', -60, -1), issued('c', 5, 10)], base)).toBe(true);
  });
});
