// Copies and mails that main handed back to the page (the development bridge:
// main runs beside a browser, not on the person's desktop), carried out with the
// browser's own clipboard and mailto: handling. Every shell's client goes
// through here, so a view only ever learns whether the text reached the clipboard.

import type { CopyHandover, DesktopError, MailHandover } from '../../shared/desktop-api.ts';
import type { RendererClient, ShellClient } from './types.ts';

/** A copy as views see it: done, or the exact text for the person to copy by hand (the page may not use the clipboard). */
export type CopyOutcome = { copied: true } | { copied: false; text: string };

/** What the page can do itself. */
export interface PageHands {
  /** The browser's clipboard; undefined where the page has none (not a secure context). */
  writeClipboard: ((text: string) => Promise<void>) | undefined;
  /** Hands a mailto: URL to the browser, which opens the person's mail program. */
  openUrl(url: string): void;
}

export async function deliverCopy(handover: CopyHandover, hands: PageHands): Promise<CopyOutcome> {
  if ('delivered' in handover) return { copied: true };
  const { text } = handover.deliverInPage;
  if (!hands.writeClipboard) return { copied: false, text };
  try {
    await hands.writeClipboard(text);
    return { copied: true };
  } catch {
    // Refused (permission denied, the page not focused): the person copies it from a selected field.
    return { copied: false, text };
  }
}

export function deliverMail(handover: MailHandover, hands: PageHands): void {
  if ('delivered' in handover) return;
  // Only main builds these; anything but a mailto: would be the page navigating somewhere on main's say-so.
  if (!/^mailto:/i.test(handover.openInPage)) {
    throw { code: 'internal', message: 'the app was asked to open something other than a mail message' } satisfies DesktopError;
  }
  hands.openUrl(handover.openInPage);
}

/** The shell's client with copy and mail carried out to the end, whichever shell delivered them. */
export function withPageDelivery(shell: ShellClient, hands: PageHands): RendererClient {
  return {
    ...shell,
    copyText: async (text) => deliverCopy(await shell.copyText(text), hands),
    copyIssuedLink: async (id) => deliverCopy(await shell.copyIssuedLink(id), hands),
    sendByMail: async (id) => deliverMail(await shell.sendByMail(id), hands),
  };
}

/** This browser page's clipboard and mail handling. */
export function browserHands(win: Window): PageHands {
  const clipboard = win.navigator.clipboard as Clipboard | undefined;
  return {
    writeClipboard: clipboard && typeof clipboard.writeText === 'function' ? (text) => clipboard.writeText(text) : undefined,
    // The same tab: the browser passes a mailto: to the mail program and the page stays as it is.
    openUrl: (url) => void win.open(url, '_self'),
  };
}
