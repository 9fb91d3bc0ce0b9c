import { useEffect, useMemo, useState } from 'react';
import type { GatewayInfo, IssuedLink, IssuedLinkActivity } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { activitySummary, usesLeftText } from '../links/activity-wording.ts';
import { anyCounting, filterLinks, linkCountdown, linkStatus } from '../links/issued-links.ts';
import { describeGrant, formatInstant } from '../share/grant-wording.ts';
import type { CopyOutcome } from '../../api/types.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { ManualCopy } from './ManualCopy.tsx';
import { LinkHistory } from './LinkHistory.tsx';
import { useAction } from './use-action.ts';

/** What the operator issued, counting down live, who used each link (live), with its history, copy-again and revoke. */
export function IssuedLinks() {
  const client = useClient();
  const [links, setLinks] = useState<IssuedLink[] | undefined>();
  const [filter, setFilter] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const [gateways, setGateways] = useState<Record<string, GatewayInfo>>({});
  const [confirming, setConfirming] = useState<string | undefined>();
  const [copied, setCopied] = useState<{ id: string; outcome: CopyOutcome } | undefined>();
  const [activity, setActivity] = useState<Record<string, IssuedLinkActivity>>({});
  const [opened, setOpened] = useState<string | undefined>();
  const load = useAction(() => client.listIssuedLinks());
  const copy = useAction(async (id: string) => ({ id, outcome: await client.copyIssuedLink(id) }));
  const revoke = useAction((id: string) => client.revokeLink(id));

  const loadRun = load.run;
  useEffect(() => {
    void loadRun().then((list) => list && setLinks(list));
    // Without activity the rows simply say nothing about use; the events fill it in.
    client.getLinkActivity().then((snapshot) => setActivity(snapshot.links), () => undefined);
    return client.onEvent((event) => {
      if (event.kind === 'links') setLinks(event.links);
      if (event.kind === 'link-activity') setActivity(event.snapshot.links);
    });
  }, [client, loadRun]);

  // Revoke is offered only where the link's gateway enforces revocation; ask once per context.
  const contexts = useMemo(() => [...new Set((links ?? []).map((l) => l.context))].sort(), [links]);
  useEffect(() => {
    let current = true;
    for (const context of contexts) {
      client.getGateway(context).then(
        (info) => current && setGateways((known) => ({ ...known, [context]: info })),
        () => undefined, // Without gateway details the link simply offers no Revoke.
      );
    }
    return () => {
      current = false;
    };
  }, [client, contexts]);

  const counting = links !== undefined && anyCounting(links, now);
  useEffect(() => {
    if (!counting) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [counting]);

  const shown = filterLinks(links ?? [], filter);

  return (
    <section className="page" aria-labelledby="links-title">
      <h1 id="links-title" className="page__title">Issued links</h1>
      <input className="input" type="search" aria-label="Filter links" placeholder="Filter by VM, namespace, label or context" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <ErrorAlert error={load.error} attempt="load-links" />
      <ErrorAlert error={copy.error} attempt="copy-link" onDismiss={copy.clearError} />
      <ErrorAlert error={revoke.error} attempt="revoke-link" onDismiss={revoke.clearError} />
      {links === undefined && load.busy && <p className="placeholder" role="status">Loading issued links…</p>}
      {links !== undefined && links.length === 0 && <p className="placeholder">No links issued yet.</p>}
      {links !== undefined && links.length > 0 && shown.length === 0 && <p className="placeholder">No links match the filter.</p>}
      <ul className="link-list" aria-label="Issued links">
        {shown.map((link) => {
          const status = linkStatus(link, now);
          const used = activitySummary(link, activity[link.id], now, formatInstant);
          const uses = activity[link.id]?.usesLeft;
          const historyShown = opened === link.id;
          const toggleHistory = () => setOpened(historyShown ? undefined : link.id);
          const revocable = status !== 'revoked' && status !== 'expired' && (gateways[link.context]?.enforces.includes('revocation') ?? false);
          return (
            <li key={link.id} className={`link-item link-item--${status}`}>
              <div className="link-item__main" onClick={toggleHistory}>
                <p className="link-item__grant">
                  {describeGrant({ name: link.name, namespace: link.namespace, from: link.from, until: link.until, viewOnly: link.options.viewOnly, singleUse: link.options.singleUse, consoles: link.consoles }, now, formatInstant)}
                </p>
                <p className="note">
                  {link.label !== undefined && <>{link.label} · </>}context {link.context} · issued by {link.issuedBy}
                </p>
                <p className={`link-item__activity${used.live ? ' link-item__activity--live' : ''}`}>{used.text}</p>
                {uses !== undefined && status !== 'expired' && status !== 'revoked' && <p className="note">{usesLeftText(uses)}</p>}
              </div>
              <span className="link-item__countdown" aria-live="off">{linkCountdown(link, now)}</span>
              <div className="link-item__actions">
                <button type="button" className="button button--small" aria-expanded={historyShown} aria-controls={`history-${link.id}`} onClick={toggleHistory}>
                  {historyShown ? 'Hide history' : 'History'}
                </button>
                {link.canCopyAgain ? (
                  <button type="button" className="button button--small" disabled={copy.busy} onClick={() => void copy.run(link.id).then(setCopied)}>
                    {copied?.id === link.id && copied.outcome.copied ? 'Copied' : 'Copy link again'}
                  </button>
                ) : (
                  <span className="note">Stored without its token; issue a new link</span>
                )}
                {revocable && (confirming === link.id ? (
                  <span className="confirm" role="group" aria-label={`Revoke the link to ${link.name}?`}>
                    <span>Revoke? The link stops working at once.</span>
                    <button type="button" className="button button--small button--danger" disabled={revoke.busy} onClick={() => {
                      void revoke.run(link.id).then((updated) => {
                        setConfirming(undefined);
                        if (updated) setLinks((list) => list?.map((l) => (l.id === updated.id ? updated : l)));
                      });
                    }}>Yes, revoke</button>
                    <button type="button" className="button button--small" onClick={() => setConfirming(undefined)}>Keep</button>
                  </span>
                ) : (
                  <button type="button" className="button button--small" onClick={() => setConfirming(link.id)}>Revoke</button>
                ))}
              </div>
              {copied?.id === link.id && !copied.outcome.copied && <ManualCopy text={copied.outcome.text} label={`Link to ${link.name}`} />}
              {historyShown && <LinkHistory id={`history-${link.id}`} link={link} activity={activity[link.id]} now={now} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
