// What a failure means for the person, in one sentence, from what they were
// doing and the error's code. The API server's own text (`…is forbidden: User
// "bob" cannot get resource…`) stays available behind "Details"; it is never
// the only explanation. A console that fails says so in its own states
// (renderer/viewer/describe-state.ts).

import type { DesktopError } from '../../shared/desktop-api.ts';

/** Everything in the app that can fail with a DesktopError. */
export type Attempt =
  | 'load-contexts'
  | 'switch-context'
  | 'connect-context'
  | 'list-vms'
  | 'screenshot'
  | 'open-vnc-client'
  | 'close-vnc-bridge'
  | 'use-vnc-bridge'
  | 'power-vm'
  | 'check-share'
  | 'find-gateway'
  | 'share'
  | 'share-signing-key'
  | 'share-console'
  | 'copy-link'
  | 'send-mail'
  | 'load-links'
  | 'revoke-link'
  | 'link-history'
  | 'console-openings'
  | 'read-link'
  | 'load-settings'
  | 'save-settings'
  | 'save-app-settings'
  | 'save-favourite';

type Code = DesktopError['code'];

interface Words {
  /** Completes "Could not …". */
  doing: string;
  /** What a refusal by the cluster means: what the person may not do. */
  forbidden: string;
  /** What stands between the app and the answer. */
  reaches?: 'the cluster' | 'the gateway' | 'the development bridge';
  /** Sentences for the codes where the general one would say too little here. */
  say?: Partial<Record<Code, string>>;
}

const NOT_STORED = 'This link was stored without its token, so it cannot be copied or sent again; issue a new one.';
const NO_LINK = 'This link is no longer in the history.';

const WORDS: Record<Attempt, Words> = {
  'load-contexts': { doing: 'read your kubeconfig contexts', forbidden: 'You may not read the kubeconfig contexts.' },
  'switch-context': { doing: 'switch to this context', forbidden: 'You may not use this context.' },
  'connect-context': { doing: 'connect to this cluster', forbidden: 'The cluster does not let you in with this context.' },
  'list-vms': {
    doing: 'list the VMs of this context',
    forbidden: 'You may not list the VMs in this context.',
    say: { 'not-found': 'This cluster has no KubeVirt VMs to list (is KubeVirt installed?).' },
  },
  screenshot: {
    doing: 'take a screenshot of this VM',
    forbidden: 'You may not take screenshots of this VM.',
    say: { 'not-found': 'This VM has no screen to show: it is not running, or no longer exists.', unsupported: 'This cluster cannot take screenshots of this VM.' },
  },
  'open-vnc-client': {
    doing: 'open this VM in your VNC client',
    forbidden: "You may not open this VM's console.",
    say: { 'not-found': 'This VM is not running, or no longer exists, so its console cannot be opened.' },
  },
  'close-vnc-bridge': { doing: 'close the VNC client bridge', forbidden: 'You may not close this bridge.' },
  'use-vnc-bridge': { doing: 'hand the VNC bridge to your VNC client', forbidden: "You may not open this VM's console." },
  'power-vm': { doing: 'change whether this VM runs', forbidden: 'You may not start, stop or pause this VM.' },
  'check-share': { doing: 'check whether you may share this console', forbidden: 'The cluster does not let you ask whether you may share this console.' },
  'find-gateway': {
    doing: "find this cluster's gateway",
    forbidden: "You may not read where this cluster's gateway is; enter its URL in Settings.",
    reaches: 'the gateway',
    say: {
      'not-found': "This cluster does not say where its gateway is; enter the gateway's URL in Settings.",
      gateway: "This cluster's gateway could not be found or used; check the gateway URL in Settings.",
    },
  },
  share: {
    doing: 'issue the link',
    forbidden: 'You may not issue links for this VM.',
    say: {
      'not-found': 'The link was not issued: the signing key was not found; check the key secret in Settings.',
      'invalid-input': 'The link was not issued: what was asked for cannot be granted as it stands.',
    },
  },
  // Why the share dialog offers no link at all (SharePermission).
  'share-signing-key': { doing: 'issue links in this cluster', forbidden: 'You may not issue links in this cluster.' },
  'share-console': { doing: "check this VM's console access", forbidden: "You may not open this VM's console, so you cannot share it." },
  'copy-link': { doing: 'copy the link', forbidden: 'You may not copy this link.', reaches: 'the development bridge', say: { unsupported: NOT_STORED, 'not-found': NO_LINK } },
  'send-mail': { doing: 'send the link by mail', forbidden: 'You may not send this link.', reaches: 'the development bridge', say: { unsupported: NOT_STORED, 'not-found': NO_LINK } },
  'load-links': { doing: 'load the issued links', forbidden: 'You may not read the issued links.', reaches: 'the development bridge' },
  'revoke-link': {
    doing: 'revoke the link',
    forbidden: 'You may not revoke links in this cluster.',
    say: { unsupported: "This link's gateway cannot revoke links: the link stays valid until it expires.", 'not-found': NO_LINK },
  },
  'link-history': { doing: 'read who used this link', forbidden: 'You may not read who used this link.' },
  'console-openings': { doing: "read who opened this VM's console", forbidden: "You may not read who opened this VM's console." },
  'read-link': {
    doing: 'read the link',
    forbidden: 'You may not open this link.',
    say: { 'invalid-input': 'This is not a console link Gatepass can read.' },
  },
  'load-settings': { doing: 'load the settings', forbidden: 'You may not read these settings.' },
  'save-settings': { doing: 'save the settings', forbidden: 'You may not change these settings.', say: { 'invalid-input': 'The settings were not saved: a value is not valid.' } },
  'save-app-settings': { doing: 'save the app settings', forbidden: 'You may not change the app settings.', say: { 'invalid-input': 'The app settings were not saved: a value is not valid.' } },
  'save-favourite': { doing: 'save the favourite', forbidden: 'You may not change the favourites.' },
};

/** Every attempt, for checks that each one is worded. */
export const attempts = Object.keys(WORDS) as Attempt[];

/** The one sentence a person reads for `error` while `attempt` was under way. */
export function explainError(attempt: Attempt, error: Pick<DesktopError, 'code'>): string {
  const words = WORDS[attempt];
  const special = words.say?.[error.code];
  if (special !== undefined) return special;
  const { doing } = words;
  switch (error.code) {
    case 'forbidden': return words.forbidden;
    case 'unauthorized': return `The cluster did not accept your credentials (they may have expired), so Gatepass could not ${doing}.`;
    case 'not-found': return `Could not ${doing}: something it needs was not found.`;
    case 'unreachable': return `Could not ${doing}: ${words.reaches ?? 'the cluster'} cannot be reached right now.`;
    case 'kubeconfig': return `Could not ${doing}: this context's kubeconfig entry cannot be used.`;
    case 'gateway': return `Could not ${doing}: this cluster's gateway could not be found or used; check its URL in Settings.`;
    case 'unsupported': return `Gatepass cannot ${doing} here.`;
    case 'invalid-input': return `Could not ${doing}: something given was not valid.`;
    // `internal`, and any code a newer main may send.
    default: return `Something went wrong in Gatepass while trying to ${doing}.`;
  }
}
