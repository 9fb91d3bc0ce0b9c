// The issued-links list: where each link stands now, its countdown, and the filter.

import type { IssuedLink } from '../../../shared/desktop-api.ts';
import { formatCountdown } from '../../viewer/countdown.ts';

export type LinkStatus = 'revoked' | 'expired' | 'scheduled' | 'active';

export function linkStatus(link: IssuedLink, now: number): LinkStatus {
  if (link.revoked) return 'revoked';
  if (now >= Date.parse(link.until)) return 'expired';
  if (now < Date.parse(link.from)) return 'scheduled';
  return 'active';
}

/** The live line next to a link: "Expires in 14:59", "Starts in 2:00:00", "Expired", "Revoked". */
export function linkCountdown(link: IssuedLink, now: number): string {
  switch (linkStatus(link, now)) {
    case 'revoked': return 'Revoked';
    case 'expired': return 'Expired';
    case 'scheduled': return `Starts in ${formatCountdown(Date.parse(link.from) - now)}`;
    case 'active': return `Expires in ${formatCountdown(Date.parse(link.until) - now)}`;
  }
}

/** Links whose VM, namespace, label, context or gateway contain every word; newest first. */
export function filterLinks(links: readonly IssuedLink[], text: string): IssuedLink[] {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word !== '');
  const matches = (link: IssuedLink) => {
    const haystack = [link.name, link.namespace, link.label ?? '', link.context, link.gateway].join('\n').toLowerCase();
    return words.every((word) => haystack.includes(word));
  };
  return links.filter(matches).sort((a, b) => Date.parse(b.from) - Date.parse(a.from) || a.id.localeCompare(b.id));
}

/** Whether the list needs a ticking clock: only while some link still counts down. */
export function anyCounting(links: readonly IssuedLink[], now: number): boolean {
  return links.some((link) => {
    const status = linkStatus(link, now);
    return status === 'active' || status === 'scheduled';
  });
}
