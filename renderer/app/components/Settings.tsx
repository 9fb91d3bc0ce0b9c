import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { AppSettings } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { fromForm, toForm } from '../settings/cluster-form.ts';
import type { ClusterForm } from '../settings/cluster-form.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { useAction } from './use-action.ts';

export interface SettingsProps {
  context: string | undefined;
  appSettings: AppSettings | undefined;
  onAppSettings: (settings: AppSettings) => void;
}

export function Settings({ context, appSettings, onAppSettings }: SettingsProps) {
  const client = useClient();
  const [form, setForm] = useState<ClusterForm | undefined>();
  const [saved, setSaved] = useState(false);
  const load = useAction((name: string) => client.getClusterSettings(name));
  const save = useAction((name: string, value: ClusterForm) => client.saveClusterSettings(name, fromForm(value)));
  const saveApp = useAction((settings: AppSettings) => client.saveAppSettings(settings));

  const loadRun = load.run;
  useEffect(() => {
    setForm(undefined);
    setSaved(false);
    if (context !== undefined) void loadRun(context).then((settings) => settings && setForm(toForm(settings)));
  }, [context, loadRun]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (context === undefined || form === undefined) return;
    setSaved(false);
    const stored = await save.run(context, form);
    if (stored) {
      setForm(toForm(stored));
      setSaved(true);
    }
  };

  const edit = (change: Partial<ClusterForm>) => {
    setSaved(false);
    setForm((current) => current && { ...current, ...change });
  };

  const text = (key: 'gatewayURL' | 'secretNamespace' | 'secretName' | 'secretKey' | 'defaultLifetime', label: string, hint?: string) => (
    <label className="field">
      <span>{label}</span>
      <input className="input" value={form?.[key] ?? ''} placeholder={hint} onChange={(e) => edit({ [key]: e.target.value })} />
    </label>
  );

  const appChoice = (current: AppSettings, key: 'closeToTray' | 'notifyLinkOpened', label: string) => (
    <label className="choice">
      <input
        type="checkbox"
        checked={current[key]}
        disabled={saveApp.busy}
        onChange={(e) => void saveApp.run({ ...current, [key]: e.target.checked }).then((stored) => stored && onAppSettings(stored))}
      />
      {label}
    </label>
  );

  return (
    <section className="page" aria-labelledby="settings-title">
      <h1 id="settings-title" className="page__title">Settings</h1>
      <h2 className="section-title">Cluster {context === undefined ? '' : `(context ${context})`}</h2>
      {context === undefined && <p className="placeholder">Choose a context first.</p>}
      {load.busy && <p className="note" role="status">Loading settings…</p>}
      <ErrorAlert error={load.error} attempt="load-settings" />
      {form && (
        <form className="form" onSubmit={(e) => void submit(e)}>
          {text('gatewayURL', 'Gateway URL', 'empty: discover it from the cluster')}
          <fieldset className="fieldset">
            <legend>Signing key secret</legend>
            {text('secretNamespace', 'Namespace')}
            {text('secretName', 'Name')}
            {text('secretKey', 'Key')}
          </fieldset>
          {text('defaultLifetime', 'Default lifetime (Go duration)', 'e.g. 1h')}
          <label className="choice">
            <input type="checkbox" checked={form.defaultViewOnly} onChange={(e) => edit({ defaultViewOnly: e.target.checked })} />
            View only by default
          </label>
          <label className="choice">
            <input type="checkbox" checked={form.defaultSingleUse} onChange={(e) => edit({ defaultSingleUse: e.target.checked })} />
            Single use by default
          </label>
          <ErrorAlert error={save.error} attempt="save-settings" />
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save cluster settings'}</button>
            {saved && <span className="note" role="status">Saved</span>}
          </div>
        </form>
      )}
      <h2 className="section-title">App</h2>
      {appSettings && appChoice(appSettings, 'closeToTray', 'Closing the window keeps Gatepass in the tray')}
      {appSettings && appChoice(appSettings, 'notifyLinkOpened', 'Tell me when a link I issued is opened')}
      <ErrorAlert error={saveApp.error} attempt="save-app-settings" onDismiss={saveApp.clearError} />
    </section>
  );
}
