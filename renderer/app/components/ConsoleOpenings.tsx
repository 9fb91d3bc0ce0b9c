import { useEffect, useState } from 'react';
import type { ConsoleOpenings as Openings, DesktopError } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { asDesktopError } from '../errors.ts';
import { openingLine, scopeProblem } from '../links/activity-wording.ts';
import { formatInstant } from '../share/grant-wording.ts';
import { ErrorAlert, ErrorDetails } from './ErrorAlert.tsx';

export interface ConsoleOpeningsProps {
  context: string;
  namespace: string;
  name: string;
}

/** Who was on this VM's console lately, whoever issued their links; followed while shown. */
export function ConsoleOpenings({ context, namespace, name }: ConsoleOpeningsProps) {
  const client = useClient();
  const [openings, setOpenings] = useState<Openings | undefined>();
  const [error, setError] = useState<DesktopError | undefined>();

  useEffect(() => {
    let current = true;
    const unsubscribe = client.onEvent((event) => {
      if (event.kind !== 'console-openings') return;
      const o = event.openings;
      if (o.context === context && o.namespace === namespace && o.name === name) setOpenings(o);
    });
    client.watchConsoleOpenings(context, namespace, name).then(
      (first) => current && setOpenings(first),
      (reason: unknown) => current && setError(asDesktopError(reason)),
    );
    return () => {
      current = false;
      unsubscribe();
      void client.unwatchConsoleOpenings(context, namespace, name).catch(() => undefined);
    };
  }, [client, context, namespace, name]);

  const problem = scopeProblem(openings?.scope);
  const now = Date.now();
  return (
    <section className="openings" aria-label="Recent console openings">
      <h3 className="section-title">Recent console openings</h3>
      <ErrorAlert error={error} attempt="console-openings" />
      {problem !== undefined && <p className="note">{problem}</p>}
      {problem !== undefined && <ErrorDetails error={openings?.scope.error} />}
      {problem === undefined && openings?.scope.state === 'loading' && <p className="note" role="status">Reading who used the console…</p>}
      {problem === undefined && openings?.scope.state !== 'loading' && openings?.openings.length === 0 && <p className="note">No console link opened it lately.</p>}
      {openings !== undefined && openings.openings.length > 0 && (
        <ul className="openings__list">
          {openings.openings.map((opening, index) => (
            <li key={opening.connection ?? `${opening.at}-${index}`} className={opening.openNow ? 'openings__item openings__item--live' : 'openings__item'}>
              {openingLine(opening, now, formatInstant)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
