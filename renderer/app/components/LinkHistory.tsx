import { useEffect, useState } from 'react';
import type { ConsoleAuditRecord, DesktopError, IssuedLink, IssuedLinkActivity } from '../../../shared/desktop-api.ts';
import { asDesktopError } from '../errors.ts';
import { useClient } from '../client.tsx';
import { FOLLOW_AFTER_EXPIRY_MS } from '../../../shared/link-activity.ts';
import { historyLine, scopeProblem, TOO_OLD } from '../links/activity-wording.ts';
import { formatInstant } from '../share/grant-wording.ts';
import { ErrorAlert, ErrorDetails } from './ErrorAlert.tsx';

export interface LinkHistoryProps {
  id: string;
  link: IssuedLink;
  /** Asked again whenever the link's activity changes. */
  activity: IssuedLinkActivity | undefined;
  now: number;
}

/** Every open, refusal and close of one issued link, newest first. */
export function LinkHistory({ id, link, activity, now }: LinkHistoryProps) {
  const client = useClient();
  const [records, setRecords] = useState<ConsoleAuditRecord[] | undefined>();
  const [error, setError] = useState<DesktopError | undefined>();
  const changed = JSON.stringify(activity ?? null);

  useEffect(() => {
    let current = true;
    client.getLinkHistory(link.id).then(
      (list) => {
        if (!current) return;
        setRecords(list);
        setError(undefined);
      },
      (reason: unknown) => current && setError(asDesktopError(reason)),
    );
    return () => {
      current = false;
    };
  }, [client, link.id, changed]);

  const problem = activity === undefined && now - Date.parse(link.until) > FOLLOW_AFTER_EXPIRY_MS ? TOO_OLD : scopeProblem(activity?.scope);
  return (
    <section id={id} className="link-history" aria-label={`History of the link to ${link.name}`}>
      <ErrorAlert error={error} attempt="link-history" />
      {problem !== undefined && <p className="note">{problem}</p>}
      {problem !== undefined && <ErrorDetails error={activity?.scope?.error} />}
      {problem === undefined && records !== undefined && records.length === 0 && <p className="note">Nothing recorded: nobody has tried this link yet.</p>}
      {records !== undefined && records.length > 0 && (
        <table className="link-history__table">
          <thead>
            <tr><th scope="col">When</th><th scope="col">What</th><th scope="col">From</th></tr>
          </thead>
          <tbody>
            {records.map((record, index) => {
              const line = historyLine(record, now, formatInstant);
              return (
                <tr key={`${record.lastSeen}-${record.reason}-${record.connection ?? index}`}>
                  <td>{line.when}</td><td>{line.what}</td><td>{line.from}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
