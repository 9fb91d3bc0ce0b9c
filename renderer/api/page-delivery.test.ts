import { describe, expect, it } from 'vitest';
import type { DesktopApiMethod } from '../../shared/desktop-api.ts';
import { deliverCopy, deliverMail, withPageDelivery } from './page-delivery.ts';
import type { PageHands } from './page-delivery.ts';
import type { ShellClient } from './types.ts';

// A link's token is ~900 characters; what is copied must be all of it, unchanged.
const LINK = `https://gw.example/open#token=${'eyJhbGciOiJSUzI1NiJ9.'.padEnd(900, 'Ab-_')}&name=web-1&namespace=team-a`;

function hands(clipboard: 'works' | 'refuses' | 'absent' = 'works') {
  const written: string[] = [];
  const opened: string[] = [];
  const page: PageHands = {
    writeClipboard: clipboard === 'absent' ? undefined : async (text) => {
      if (clipboard === 'refuses') throw new DOMException('Write permission denied.', 'NotAllowedError');
      written.push(text);
    },
    openUrl: (url) => void opened.push(url),
  };
  return { page, written, opened };
}

describe('deliverCopy', () => {
  it('leaves a copy main delivered alone', async () => {
    const h = hands();
    expect(await deliverCopy({ delivered: true }, h.page)).toEqual({ copied: true });
    expect(h.written).toEqual([]);
  });

  it('writes exactly the handed-back text to the page clipboard', async () => {
    const h = hands();
    expect(await deliverCopy({ deliverInPage: { text: LINK } }, h.page)).toEqual({ copied: true });
    expect(h.written).toEqual([LINK]);
  });

  it('hands the whole text back for copying by hand when the clipboard refuses or is missing', async () => {
    expect(await deliverCopy({ deliverInPage: { text: LINK } }, hands('refuses').page)).toEqual({ copied: false, text: LINK });
    expect(await deliverCopy({ deliverInPage: { text: LINK } }, hands('absent').page)).toEqual({ copied: false, text: LINK });
  });
});

describe('deliverMail', () => {
  it('opens a handed-back mailto: in the page, and nothing when main opened it', () => {
    const h = hands();
    deliverMail({ delivered: true }, h.page);
    deliverMail({ openInPage: 'mailto:?subject=a&body=b' }, h.page);
    expect(h.opened).toEqual(['mailto:?subject=a&body=b']);
  });

  it('refuses to navigate anywhere but a mail message', () => {
    const h = hands();
    for (const url of ['https://evil.example/', 'javascript:alert(1)', ' mailto:x', 'data:text/html,x']) {
      expect(() => deliverMail({ openInPage: url }, h.page)).toThrow();
      try {
        deliverMail({ openInPage: url }, h.page);
      } catch (error) {
        expect(error).toMatchObject({ code: 'internal' });
      }
    }
    expect(h.opened).toEqual([]);
  });
});

describe('withPageDelivery', () => {
  function shell(answers: Partial<Record<DesktopApiMethod, unknown>>): { client: ShellClient; calls: string[] } {
    const calls: string[] = [];
    const client = {
      systemNotifications: false,
      onEvent: () => () => undefined,
      consoleChannel: () => { throw new Error('unused'); },
      listIssuedLinks: async () => [],
      copyText: async (text: string) => { calls.push(`copyText ${text.length}`); return answers.copyText; },
      copyIssuedLink: async (id: string) => { calls.push(`copyIssuedLink ${id}`); return answers.copyIssuedLink; },
      sendByMail: async (id: string) => { calls.push(`sendByMail ${id}`); return answers.sendByMail; },
    } as unknown as ShellClient;
    return { client, calls };
  }

  it('carries out each copy and mail main handed back, and passes other calls through', async () => {
    const h = hands();
    const { client, calls } = shell({
      copyText: { deliverInPage: { text: LINK } },
      copyIssuedLink: { deliverInPage: { text: `${LINK}#again` } },
      sendByMail: { openInPage: 'mailto:?body=x' },
    });
    const wrapped = withPageDelivery(client, h.page);
    expect(await wrapped.copyText(LINK)).toEqual({ copied: true });
    expect(await wrapped.copyIssuedLink('id-1')).toEqual({ copied: true });
    await wrapped.sendByMail('id-1');
    expect(h.written).toEqual([LINK, `${LINK}#again`]);
    expect(h.opened).toEqual(['mailto:?body=x']);
    expect(calls).toEqual([`copyText ${LINK.length}`, 'copyIssuedLink id-1', 'sendByMail id-1']);
    expect(await wrapped.listIssuedLinks()).toEqual([]);
  });

  it('in Electron (delivered by main) touches neither the page clipboard nor its location', async () => {
    const h = hands();
    const wrapped = withPageDelivery(shell({ copyText: { delivered: true }, copyIssuedLink: { delivered: true }, sendByMail: { delivered: true } }).client, h.page);
    expect(await wrapped.copyText(LINK)).toEqual({ copied: true });
    expect(await wrapped.copyIssuedLink('id-1')).toEqual({ copied: true });
    await wrapped.sendByMail('id-1');
    expect(h.written).toEqual([]);
    expect(h.opened).toEqual([]);
  });

  it('lets a refusal from main through as it came', async () => {
    const client = { ...shell({}).client, copyIssuedLink: async () => Promise.reject({ code: 'unsupported', message: 'not stored' }) } as ShellClient;
    await expect(withPageDelivery(client, hands().page).copyIssuedLink('x')).rejects.toEqual({ code: 'unsupported', message: 'not stored' });
  });
});
