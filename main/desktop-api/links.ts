// Links the operator issues: sharing (with the issuer's own access checked
// first), the history of issued links, copying, mailing and revoking them,
// and who used them (the gateway's audit Events), with a notification when
// one is opened.
import QRCode from 'qrcode';
import type { ConsoleKind, CopyHandover, DesktopApi, InviteRequest, InviteResult, LinkOpened, MailHandover, ShareRequest, ShareResult } from '../../shared/desktop-api.ts';
import { START_BACKDATE_MS } from '../../shared/claims.ts';
import { clockTime } from '../../shared/clock-time.ts';
import { QR_SVG_OPTIONS } from '../../shared/qr-code.ts';
import { DesktopFailure } from '../services/errors.ts';
import { startLinkActivity } from '../services/link-activity.ts';
import { revokeTokenId } from '../services/revocation.ts';
import {
  optionalLabelText, requireBoolean, requireConsoleKind, requireConsoleKinds, requireContextName, requireLabel, requireLifetime, requireObject, requireString,
} from '../services/validate-input.ts';
import { guarded, MAX_LINK_TEXT, type DesktopCore } from './core.ts';
import type { CreateDesktopApiOptions } from './options.ts';

export type LinksApi = Pick<DesktopApi,
  | 'shareConsole' | 'checkSharePermission' | 'inviteToConsole' | 'listIssuedLinks' | 'copyIssuedLink' | 'revokeLink' | 'copyText' | 'sendByMail'
  | 'getLinkActivity' | 'getLinkHistory' | 'watchConsoleOpenings' | 'unwatchConsoleOpenings'>;

const RECENT_OPENS_LIMIT = 5;
/** Link and session pairs remembered as already told of; the oldest are forgotten first. */
const NOTICED_SESSIONS_LIMIT = 1000;

/** What a link opens, as the start of a sentence in a mail: "Console" (the screen, as always), "Serial console", or both. */
export function consolesInWords(consoles: readonly ConsoleKind[]): string {
  const serial = consoles.includes('serial');
  if (!serial) return 'Console';
  return consoles.includes('vnc') ? 'Screen and serial console' : 'Serial console';
}

export function createLinksApi(core: DesktopCore, options: Pick<CreateDesktopApiOptions, 'linkActivity'>) {
  const { platform, settings, signer, history, trust, emit, clientFor, knownContext, gatewayFor, now } = core;
  /** Issued links opened lately, newest first, for the tray. */
  const recentOpens: LinkOpened[] = [];
  // A reconnect from the same browser or app (one session, one use) is not news: one notice per link and session.
  const noticedSessions = new Set<string>();
  const firstOpenOfSession = (linkId: string, session: string | undefined): boolean => {
    if (session === undefined) return true;
    const key = `${linkId}\u0000${session}`;
    if (noticedSessions.has(key)) return false;
    noticedSessions.add(key);
    if (noticedSessions.size > NOTICED_SESSIONS_LIMIT) noticedSessions.delete(noticedSessions.values().next().value!);
    return true;
  };

  const activity = startLinkActivity({
    clientFor,
    links: () => history.list(),
    counterNamespace: (context) => settings.get(context).keySecret.namespace,
    onSnapshot: (snapshot) => emit({ kind: 'link-activity', snapshot }),
    onOpenings: (openings) => emit({ kind: 'console-openings', openings }),
    onLinkOpened: (link, record) => {
      if (!firstOpenOfSession(link.id, record.session)) return;
      const opened: LinkOpened = {
        linkId: link.id, namespace: link.namespace, name: link.name, at: record.firstSeen,
        ...(link.label === undefined ? {} : { label: link.label }), ...(record.client === undefined ? {} : { client: record.client }),
      };
      recentOpens.unshift(opened);
      recentOpens.splice(RECENT_OPENS_LIMIT);
      if (!core.readAppSettings().notifyLinkOpened) return;
      const what = link.label ? `“${link.label}” (${link.namespace}/${link.name})` : `${link.namespace}/${link.name}`;
      platform.notify('Console link opened', `Your link to ${what} was opened${record.client ? ` from ${record.client}` : ''} at ${clockTime(record.firstSeen)}`);
      emit({ kind: 'link-opened', opened });
    },
    now,
    ...options.linkActivity,
  });
  core.onContextChanged((name) => activity.restart(name));

  const emitLinks = (): void => {
    emit({ kind: 'links', links: history.list() });
    activity.linksChanged();
  };

  const share = async (raw: ShareRequest): Promise<ShareResult> => {
    const request = requireObject(raw, 'the share request');
    const context = knownContext(request.context);
    const namespace = requireLabel(request.namespace, 'namespace');
    const name = requireLabel(request.name, 'name');
    const duration = requireLifetime(request.duration, 'the lifetime');
    const from = request.from === undefined || request.from === 'now' ? undefined : requireString(request.from, 'the start time', 64);
    const viewOnly = request.viewOnly === undefined ? false : requireBoolean(request.viewOnly, 'view-only');
    const singleUse = request.singleUse === undefined ? false : requireBoolean(request.singleUse, 'single-use');
    const label = optionalLabelText(request.label, 'the label');
    const consoles = request.consoles === undefined ? ['vnc' as const] : requireConsoleKinds(request.consoles, 'the consoles the link opens');
    const client = clientFor(context);
    // Permission first: "you may not issue links here" says more than any gateway problem.
    await signer.checkCanIssue(client, settings.get(context).keySecret);
    const gateway = await gatewayFor(context);
    const pin = trust.pinFor(context, gateway.url);
    const issued = await signer.issue({
      client, settings: settings.get(context), gateway, namespace, name, duration, viewOnly, singleUse, consoles,
      ...(from ? { from } : {}), ...(label ? { label } : {}), ...(pin ? { pin } : {}),
    });
    const record = history.record({
      id: issued.id, context, namespace, name, ...(label ? { label } : {}),
      // "Start now" backdates nbf 60 s for gateways whose clock runs behind (DESIGN);
      // the person asked for now, so that is what the history and the dialog say.
      from: new Date(from ? issued.claims.nbf * 1000 : (issued.claims.iat ?? issued.claims.nbf) * 1000 + START_BACKDATE_MS).toISOString(),
      until: new Date(issued.claims.exp * 1000).toISOString(),
      options: { viewOnly, singleUse },
      consoles,
      gateway: gateway.url,
      issuedBy: issued.issuedBy,
      revoked: false,
    }, issued.link);
    core.addRecent(context, namespace, name);
    emitLinks();
    const qrSvg = await QRCode.toString(issued.link, QR_SVG_OPTIONS);
    return { issued: record, link: issued.link, qrSvg };
  };

  /**
   * Two links, both signed and checked as Share signs and checks: the invitation,
   * and a full-control one for the operator, whose own console must go through the
   * gateway's shared session for anyone to join it (the API server shares nothing).
   */
  const invite = async (raw: InviteRequest): Promise<InviteResult> => {
    const request = requireObject(raw, 'the invitation');
    const context = knownContext(request.context);
    const namespace = requireLabel(request.namespace, 'namespace');
    const name = requireLabel(request.name, 'name');
    const console = requireConsoleKind(request.console, 'the console');
    const viewOnly = request.viewOnly === undefined ? true : requireBoolean(request.viewOnly, 'view-only');
    const label = optionalLabelText(request.label, 'the label');
    const duration = requireLifetime(request.duration, 'the lifetime');
    const permission = await signer.checkCanShare(clientFor(context), settings.get(context).keySecret, { namespace, name });
    if (!permission.allowed) throw new DesktopFailure('forbidden', permission.error.message, context);
    const common = { context, namespace, name, duration, consoles: [console] };
    const own = await share({ ...common, viewOnly: false, label: 'Your own console, shared' });
    const invitation = await share({ ...common, viewOnly, ...(label === undefined ? {} : { label }) });
    return { invitation, ownLink: own.link };
  };

  /** Electron copies itself; behind the development bridge the page's own clipboard must. */
  const copy = async (text: string): Promise<CopyHandover> => {
    if (platform.deliverIn === 'page') return { deliverInPage: { text } };
    await platform.clipboard.writeText(text);
    return { delivered: true };
  };

  const api: LinksApi = {
    shareConsole: (request) => guarded(() => share(request)),
    inviteToConsole: (request) => guarded(() => invite(request)),
    checkSharePermission: (context, namespace, name) => guarded(() => {
      const known = knownContext(context);
      return signer.checkCanShare(clientFor(known), settings.get(known).keySecret, { namespace: requireLabel(namespace, 'namespace'), name: requireLabel(name, 'name') });
    }),
    listIssuedLinks: () => guarded(() => history.list()),
    copyIssuedLink: (id) => guarded(() => copy(history.unseal(requireString(id, 'the link id')))),
    revokeLink: (id) => guarded(async () => {
      const issued = history.get(requireString(id, 'the link id'));
      const gateway = await gatewayFor(knownContext(issued.context));
      if (gateway.kind !== 'gatepass' || !gateway.enforces.includes('revocation')) {
        throw new DesktopFailure('unsupported', `the gateway at ${gateway.url} cannot revoke links; the link stays valid until ${issued.until}`, issued.context);
      }
      await revokeTokenId(clientFor(issued.context), settings.get(issued.context).keySecret.namespace, issued.id, issued.until);
      const revoked = history.markRevoked(issued.id);
      emitLinks();
      return revoked;
    }),
    copyText: (text) => guarded(() => copy(requireString(text, 'the text', MAX_LINK_TEXT))),
    sendByMail: (id) => guarded(async (): Promise<MailHandover> => {
      const issued = history.get(requireString(id, 'the link id'));
      const link = history.unseal(issued.id);
      const what = `${issued.namespace}/${issued.name}${issued.options.viewOnly ? ' (view only)' : ''}`;
      const consoles = consolesInWords(issued.consoles);
      const subject = `${consoles} link for ${what}`;
      const body = `${issued.label ? `${issued.label}\n\n` : ''}${consoles} of ${what}, valid until ${issued.until}${issued.options.singleUse ? ', for one use' : ''}:\n\n${link}\n`;
      const mailto = `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
      if (platform.deliverIn === 'page') return { openInPage: mailto };
      await platform.openExternal(mailto);
      return { delivered: true };
    }),
    getLinkActivity: () => guarded(() => activity.snapshot()),
    getLinkHistory: (id) => guarded(() => activity.history(history.get(requireString(id, 'the link id')))),
    watchConsoleOpenings: (context, namespace, name) => guarded(() => activity.watchVm(knownContext(context), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'))),
    unwatchConsoleOpenings: (context, namespace, name) => guarded(() => {
      activity.unwatchVm(requireContextName(context), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'));
    }),
  };

  return {
    api,
    recentOpens: (): LinkOpened[] => [...recentOpens],
    /** Tray quick-share: the context's default lifetime and options; the link is copied and the person told. */
    async quickShare(context: string, namespace: string, name: string): Promise<ShareResult> {
      const defaults = settings.get(knownContext(context));
      const result = await share({ context, namespace, name, duration: defaults.defaultLifetime, viewOnly: defaults.defaultViewOnly, singleUse: defaults.defaultSingleUse, consoles: ['vnc'] });
      await platform.clipboard.writeText(result.link);
      const options = [result.issued.options.viewOnly ? 'view only' : '', result.issued.options.singleUse ? 'one use' : ''].filter(Boolean).join(', ');
      platform.notify('Console link copied', `Console link for ${namespace}/${name}${options ? ` (${options})` : ''}, valid until ${clockTime(result.issued.until)}, copied`);
      return result;
    },
    stop: (): void => activity.stop(),
  };
}
