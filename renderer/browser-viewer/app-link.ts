// "Open in Gatepass app". The app needs the link itself (its token): a deep
// link without one, such as gatepass://open?link=https://<gateway>/login?name=…,
// is refused by the app's link parser ("the link has no token"), so it would
// promise something it cannot do. This page cannot supply the token either: the
// gateway keeps it in an HttpOnly cookie precisely so that no script here can
// read it. So the person pastes the link they were given, the page checks that
// it opens this very console on this gateway, and only then offers the
// gatepass:// deep link. Nothing is stored or sent anywhere.

import { buildDeepLink, LinkError, parseLink } from '../../shared/links.ts';
import type { VncTarget } from '../../shared/kubevirt-paths.ts';

export type AppLink = { ok: true; href: string } | { ok: false; problem: string };

export function appLinkFor(pasted: string, origin: string, target: Pick<VncTarget, 'namespace' | 'name'>): AppLink {
  try {
    const link = parseLink(pasted);
    if (link.gateway !== origin && !link.gateway.startsWith(`${origin}/`)) {
      return { ok: false, problem: `That link is for ${link.gateway}, not this gateway (${origin}).` };
    }
    if (link.name !== undefined && (link.name !== target.name || link.namespace !== target.namespace)) {
      return { ok: false, problem: `That link opens ${link.name} in ${link.namespace ?? '?'}, not this console.` };
    }
    return { ok: true, href: buildDeepLink(pasted.trim()) };
  } catch (err) {
    if (err instanceof LinkError) return { ok: false, problem: `That is not a console link: ${err.message}.` };
    throw err;
  }
}
