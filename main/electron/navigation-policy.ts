// The window never navigates and never opens other windows. A link the page
// asks to open goes to the system browser only when it is a well-formed https
// URL without credentials; mailto: links are built by main itself (sendByMail)
// and never come from the page.

export type ExternalLinkDecision = { open: true; url: string } | { open: false; reason: string };

const MAX_URL_LENGTH = 2048;

export function externalLinkDecision(text: string): ExternalLinkDecision {
  if (typeof text !== 'string' || text.length === 0) return { open: false, reason: 'the link is empty' };
  if (text.length > MAX_URL_LENGTH) return { open: false, reason: `the link is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { open: false, reason: 'the link is not a URL' };
  }
  if (url.protocol !== 'https:') return { open: false, reason: `only https links open outside the app, not ${url.protocol}` };
  if (url.username !== '' || url.password !== '') return { open: false, reason: 'the link carries credentials' };
  if (url.hostname === '') return { open: false, reason: 'the link has no host' };
  return { open: true, url: url.href };
}
