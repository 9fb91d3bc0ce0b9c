import { useState } from 'react';
import type { ShareResult } from '../../../shared/desktop-api.ts';
import type { CopyOutcome } from '../../api/types.ts';
import { useClient } from '../client.tsx';
import { describeGrant, formatInstant } from '../share/grant-wording.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { ManualCopy } from './ManualCopy.tsx';
import { QrCode } from './QrCode.tsx';
import { useAction } from './use-action.ts';

/** A link just issued, handed to the person: what it grants, the link to copy or mail, and its QR code. */
export function LinkHandover({ result }: { result: ShareResult }) {
  const client = useClient();
  const [copied, setCopied] = useState<CopyOutcome | undefined>();
  const copy = useAction((text: string) => client.copyText(text));
  const mail = useAction((id: string) => client.sendByMail(id));
  const grant = describeGrant({
    name: result.issued.name, namespace: result.issued.namespace, from: result.issued.from, until: result.issued.until,
    viewOnly: result.issued.options.viewOnly, singleUse: result.issued.options.singleUse, consoles: result.issued.consoles,
  }, Date.now(), formatInstant);

  return (
    <>
      <p className="grant" role="status">{grant}</p>
      {result.issued.label !== undefined && <p className="note">Label: {result.issued.label}</p>}
      <label className="field">
        <span>Link to send</span>
        <input className="input input--mono" readOnly value={result.link} onFocus={(e) => e.target.select()} />
      </label>
      <div className="dialog__actions dialog__actions--start">
        <button type="button" className="button button--primary" disabled={copy.busy} onClick={() => void copy.run(result.link).then(setCopied)}>
          Copy link
        </button>
        <button type="button" className="button" disabled={mail.busy} onClick={() => void mail.run(result.issued.id)}>Send by mail</button>
        {copied?.copied === true && <span className="note" role="status">Copied</span>}
      </div>
      {copied?.copied === false && <ManualCopy text={copied.text} label="Link to copy" />}
      <ErrorAlert error={copy.error} attempt="copy-link" onDismiss={copy.clearError} />
      <ErrorAlert error={mail.error} attempt="send-mail" onDismiss={mail.clearError} />
      <QrCode svg={result.qrSvg} />
      {!result.issued.canCopyAgain && <p className="note">This link is not stored: copy it now, or issue a new one later.</p>}
    </>
  );
}
