// The desktop app's one IPC contract. Main implements it once (main/desktop-api-impl),
// the preload exposes exactly it, and the browser development bridge carries the
// same calls over a loopback websocket. Everything that crosses is plain data:
// errors too, as `DesktopError`, so the renderer can say what went wrong.
//
// What never crosses: private keys, kubeconfig credentials, and tokens other than
// inside a link the person is meant to hold (the link they just issued or copy again, or the one
// they pasted).

import type { VmPowerAction } from './access-review.ts';
import type { ConsoleAuditRecord } from './console-audit.ts';
import type { ConsoleKind } from './kubevirt-paths.ts';
import type { ConsoleOpening, LinkActivity, UsesLeft } from './link-activity.ts';

/** An error as the renderer sees it: a stable code to branch on, a message for a person. */
export interface DesktopError {
  code:
    | 'invalid-input'
    | 'not-found'
    | 'forbidden'
    | 'unauthorized'
    | 'unreachable'
    | 'kubeconfig'
    | 'gateway'
    | 'unsupported'
    | 'internal';
  message: string;
  /** The kubeconfig context the error belongs to, when it has one. */
  context?: string;
}

export function isDesktopError(value: unknown): value is DesktopError {
  return typeof value === 'object' && value !== null && typeof (value as DesktopError).code === 'string' && typeof (value as DesktopError).message === 'string';
}

export type ConnectionState = 'unknown' | 'connecting' | 'connected' | 'error';

export interface ContextInfo {
  /** The kubeconfig context name, unique across the merged KUBECONFIG list. */
  name: string;
  cluster: string;
  server: string;
  /** The kubeconfig user entry's name (a local alias, not the identity the API server reports). */
  user: string;
  namespace?: string;
  current: boolean;
  state: ConnectionState;
  error?: DesktopError;
}

export type VmStatus = 'Running' | 'Stopped' | 'Starting' | 'Stopping' | 'Paused' | 'Migrating' | 'Provisioning' | 'ErrorUnschedulable' | 'Unknown' | (string & {});

/** One VirtualMachine joined with its VirtualMachineInstance: what the VM browser shows. */
export interface VmRow {
  /** `<namespace>/<name>`: unique within a context. */
  key: string;
  namespace: string;
  name: string;
  status: VmStatus;
  ready: boolean;
  running: boolean;
  node?: string;
  ips: string[];
  guestOS?: string;
  /** ISO 8601. */
  createdAt: string;
  labels: Record<string, string>;
  /** `status.conditions` AgentConnected. */
  agentConnected: boolean;
}

export type InventoryState = 'loading' | 'live' | 'reconnecting' | 'error';

/** The VM list changes as deltas, so 10,000 VMs are not resent on every update. */
export type InventoryEvent =
  | { kind: 'reset'; context: string; rows: VmRow[] }
  | { kind: 'upsert'; context: string; rows: VmRow[] }
  | { kind: 'remove'; context: string; keys: string[] }
  | {
      kind: 'state';
      context: string;
      state: InventoryState;
      /** `cluster`: every namespace; `namespace`: a cluster-wide list was forbidden, so only this one. */
      scope?: { kind: 'cluster' } | { kind: 'namespace'; namespace: string };
      error?: DesktopError;
    };

export type GatewayKind = 'gatepass' | 'kube-gateway';

export interface GatewayInfo {
  url: string;
  kind: GatewayKind;
  /** The Gatepass extensions the gateway says it enforces (`/.well-known/gatepass`); empty for kube-gateway. */
  enforces: string[];
  version?: string;
  /** Where the URL came from. */
  source: 'configmap' | 'route' | 'ingress' | 'settings';
}

export interface KeySecretRef {
  namespace: string;
  name: string;
  key: string;
}

/** Per-context settings, persisted and validated in main. */
export interface ClusterSettings {
  /** Set by the person; when absent, discovered (ConfigMap `gatepass`, then Route/Ingress). */
  gatewayURL?: string;
  keySecret: KeySecretRef;
  /** A Go duration, e.g. `1h`. */
  defaultLifetime: string;
  defaultViewOnly: boolean;
  defaultSingleUse: boolean;
}

export interface AppSettings {
  closeToTray: boolean;
  /** A notification (and an entry in the tray) when a link issued from this app is opened; on by default. */
  notifyLinkOpened: boolean;
  /** Favourite VMs by context: `<namespace>/<name>` keys. */
  favourites: Record<string, string[]>;
}

export interface ShareRequest {
  context: string;
  namespace: string;
  name: string;
  /** A Go duration. */
  duration: string;
  /** RFC 3339, or 'now' (the default: backdated 60 s, see docs/architecture.md). */
  from?: string;
  viewOnly?: boolean;
  singleUse?: boolean;
  label?: string;
  /** What the link opens: the screen (`vnc`), the serial console, or both; non-empty, default `['vnc']`. */
  consoles?: ConsoleKind[];
}

export interface LinkOptions {
  viewOnly: boolean;
  singleUse: boolean;
}

/** A link the operator issued, as remembered in the history. */
export interface IssuedLink {
  id: string;
  context: string;
  namespace: string;
  name: string;
  label?: string;
  /** ISO 8601. */
  from: string;
  until: string;
  options: LinkOptions;
  /** The consoles the link opens (records from before serial links: `['vnc']`). */
  consoles: ConsoleKind[];
  gateway: string;
  issuedBy: string;
  /** The token is kept only encrypted (safeStorage); without it the link cannot be copied again. */
  canCopyAgain: boolean;
  revoked: boolean;
}

// --- May this person share this console? (issue 11, "Issue only what you may open yourself")
/** Asked when the share dialog opens, so a refusal is said before anything is filled in. */
export type SharePermission =
  /** `consoles`: those of this VM's consoles the person may open themselves (never empty), so only those are offered. */
  | { allowed: true; consoles: ConsoleKind[]; refusals?: Partial<Record<ConsoleKind, DesktopError>> }
  /** `signing-key`: may not issue links in this cluster at all; `console`: may open none of this VM's consoles themselves. */
  | { allowed: false; why: 'signing-key' | 'console'; error: DesktopError };
// --- end SharePermission

// --- VM power (issue 12, "VM power from the app")
export type { VmPowerAction } from './access-review.ts';
// --- end VM power
// --- Copy and mail: who carries them out
/**
 * Electron's main writes the desktop's clipboard and opens the mail client itself
 * (`delivered`). Main behind the development bridge reaches neither, so it hands the
 * exact text or the `mailto:` URL back for the browser page to deliver. The renderer's
 * client (renderer/api) carries a handover out, so views never learn which shell they run in.
 */
export type CopyHandover = { delivered: true } | { deliverInPage: { text: string } };
export type MailHandover = { delivered: true } | { openInPage: string };
// --- end copy and mail

export interface ShareResult {
  issued: IssuedLink;
  /** The link itself, shown once; copy again later only when `issued.canCopyAgain`. */
  link: string;
  /** A QR code of the link as an SVG document. */
  qrSvg: string;
}

// --- Invite to the operator's own console (issue 9, "Shared consoles")
/** Asked from the operator's own open console: a link for someone else to join this session. */
export interface InviteRequest {
  context: string;
  namespace: string;
  name: string;
  /** Which console is open, and so which the invitation joins. */
  console: ConsoleKind;
  /** A Go duration: how long the invitation (and the operator's console through the gateway) lasts. */
  duration: string;
  /** View only unless false: the default for an invitation. */
  viewOnly?: boolean;
  label?: string;
}

export interface InviteResult {
  /** The invitation, as shareConsole returns a link. */
  invitation: ShareResult;
  /**
   * A full-control link for the operator themself, to reopen their own console
   * through the gateway's shared session (joining it, preserveSession), where
   * the invitee can join them; the console no longer goes straight to the API server.
   */
  ownLink: string;
}
// --- end Invite

/** What a received link claims. A recipient cannot verify the signature, so every field is a claim. */
export interface LinkSummary {
  gateway: string;
  gatewayHost: string;
  namespace?: string;
  name?: string;
  from?: string;
  until?: string;
  viewOnly: boolean;
  singleUse: boolean;
  label?: string;
  issuedBy?: string;
  /** `fragment` (Gatepass), `query` (kube-gateway) or `legacy` (`then=`). */
  form: 'fragment' | 'query' | 'legacy';
  /** `sha256/<base64 SPKI hash>` the link pins the gateway's certificate to, for that host alone. */
  pin?: string;
  /** The consoles of the named VM its `URLs` claim grant; `['vnc']` when they name none (older links). */
  consoles: ConsoleKind[];
}

export type { ConsoleKind };

/**
 * Which console to open. `console` picks the kind (the target's own `kind` already
 * says whose console it is): default `vnc`. A link opens a console its claims grant;
 * for a link that grants both, the caller picks, and without a pick it is the screen.
 */
export type ConsoleTarget =
  | { kind: 'link'; link: string; console?: ConsoleKind }
  /** The operator's own console with kubeconfig credentials, straight to the API server (like `virtctl vnc` / `virtctl console`). */
  | { kind: 'own'; context: string; namespace: string; name: string; console?: ConsoleKind };

/**
 * A console opened by main. Its bytes travel over a separate channel (a
 * MessagePort in Electron, a loopback websocket on the development bridge),
 * which the renderer's transport looks up by `id`.
 */
export interface ConsoleTicket {
  id: string;
  title: string;
  namespace: string;
  name: string;
  /** ISO 8601, when known (a link's claims). */
  from?: string;
  until?: string;
  viewOnly: boolean;
  /** The console that opened: the screen (noVNC) or the serial console (a terminal). */
  console: ConsoleKind;
}

export interface ConsoleOpenOptions {
  /**
   * Without it a link's gateway is asked to preserve an existing session (`preserveSession=true`:
   * the screen is shared, the serial console joined). The operator's own serial console always
   * takes the console, as `virtctl console` does: KubeVirt has no `preserveSession` for it.
   */
  takeOver: boolean;
}

export interface VncBridge {
  id: string;
  /** What to give the VNC client: `unix:/path` (mode 0600) or `127.0.0.1:5901`. */
  address: string;
  /** A one-time VNC password when the bridge is a loopback port. */
  password?: string;
  until?: string;
  /** The desktop's `vnc://` handler (e.g. "Screen Sharing") that launchVncClient starts with this address; absent when there is none. */
  launcher?: string;
}

/** Why main closed a VNC bridge, so the view that shows its address can say so instead. */
export type VncBridgeEnd =
  /** As asked (closeVncBridge), or because Gatepass is quitting. */
  | { reason: 'closed' }
  /** At the expiry of the link it serves. */
  | { reason: 'expired' }
  /** After this many wrong passwords, so the one-time password cannot be guessed. */
  | { reason: 'wrong-passwords'; attempts: number }
  /** Its local listener failed. */
  | { reason: 'failed'; error: DesktopError };

export type Screenshot = { ok: true; pngBase64: string } | { ok: false; reason: DesktopError };

// --- Accountability: who used the links (from the gateway's audit Events) ---

export type { ConsoleAuditRecord, ConsoleOpening, LinkActivity, UsesLeft };

/** Whether the audit Events of one namespace can be seen, and how current they are. */
export interface AuditScope {
  context: string;
  namespace: string;
  /** `forbidden`: the person may not read Events there, so nobody can say who used its consoles. */
  state: 'loading' | 'live' | 'reconnecting' | 'forbidden' | 'error';
  error?: DesktopError;
}

/** One issued link's activity, as the Issued links view shows it. */
export interface IssuedLinkActivity extends LinkActivity {
  id: string;
  /** Limited-use links only. */
  usesLeft?: UsesLeft;
  /** Where this link's Events live; absent when the link's context is not watched. */
  scope?: AuditScope;
}

export interface LinkActivitySnapshot {
  /** By issued link id. */
  links: Record<string, IssuedLinkActivity>;
}

/** The recent console openings of one VM, whoever issued the links. */
export interface ConsoleOpenings {
  context: string;
  namespace: string;
  name: string;
  /** Newest first. */
  openings: ConsoleOpening[];
  scope: AuditScope;
}

/** A link issued from this app was just opened. */
export interface LinkOpened {
  linkId: string;
  namespace: string;
  name: string;
  label?: string;
  client?: string;
  /** ISO 8601. */
  at: string;
}

// --- end of accountability ---

export type DesktopEvent =
  | { kind: 'inventory'; event: InventoryEvent }
  | { kind: 'contexts'; contexts: ContextInfo[] }
  | { kind: 'links'; links: IssuedLink[] }
  /** A `gatepass://` link arrived: it only pre-fills the Open link view. */
  | { kind: 'deep-link'; link: string }
  | { kind: 'navigate'; view: 'vms' | 'open-link' | 'links' | 'settings' }
  /** The person chose "Open console" for a VM in the tray: their own console, with their kubeconfig credentials. */
  | { kind: 'open-console'; context: string; namespace: string; name: string }
  | { kind: 'link-activity'; snapshot: LinkActivitySnapshot }
  | { kind: 'console-openings'; openings: ConsoleOpenings }
  /** Sent only while the person wants to hear of it (`AppSettings.notifyLinkOpened`). */
  | { kind: 'link-opened'; opened: LinkOpened }
  /** A bridge from openInVncClient stopped listening, for whatever reason: its address is dead. */
  | { kind: 'vnc-bridge-closed'; id: string; end: VncBridgeEnd };

export interface DesktopApi {
  listContexts(): Promise<ContextInfo[]>;
  selectContext(name: string): Promise<ContextInfo[]>;
  /** Starts (or restarts) the live VM list of a context; rows arrive as `inventory` events. */
  watchInventory(context: string): Promise<void>;
  screenshot(context: string, namespace: string, name: string): Promise<Screenshot>;

  getClusterSettings(context: string): Promise<ClusterSettings>;
  saveClusterSettings(context: string, settings: ClusterSettings): Promise<ClusterSettings>;
  getAppSettings(): Promise<AppSettings>;
  saveAppSettings(settings: AppSettings): Promise<AppSettings>;
  /** The gateway for a context, from settings or discovery, with what it enforces. */
  getGateway(context: string): Promise<GatewayInfo>;

  shareConsole(request: ShareRequest): Promise<ShareResult>;
  /** Whether shareConsole would be refused for this VM: the signing key, then the person's own console access. */
  checkSharePermission(context: string, namespace: string, name: string): Promise<SharePermission>;
  /** Invites someone into the operator's own open console: signed and permission-checked as shareConsole is. */
  inviteToConsole(request: InviteRequest): Promise<InviteResult>;
  listIssuedLinks(): Promise<IssuedLink[]>;
  /** Copies a remembered link to the clipboard (main holds it; in Electron the renderer never needs it again). */
  copyIssuedLink(id: string): Promise<CopyHandover>;
  revokeLink(id: string): Promise<IssuedLink>;
  copyText(text: string): Promise<CopyHandover>;
  /** Opens the mail client with a message main builds from an issued link. */
  sendByMail(id: string): Promise<MailHandover>;

  inspectLink(text: string): Promise<LinkSummary>;
  openConsole(target: ConsoleTarget, options: ConsoleOpenOptions): Promise<ConsoleTicket>;
  closeConsole(id: string): Promise<void>;
  /** The screen only: a serial target (or a link that opens only the serial console) is refused as `unsupported`. */
  openInVncClient(target: ConsoleTarget): Promise<VncBridge>;
  closeVncBridge(id: string): Promise<void>;
  /** Starts the bridge's `launcher` with `vnc://127.0.0.1:PORT`; the password is never in the URL, the client asks for it. */
  launchVncClient(id: string): Promise<void>;

  /** The renderer is ready: returns a deep link that arrived before it was (cold start), once. */
  rendererReady(): Promise<string | undefined>;

  // Accountability: who used the links.
  /** What the audit Events say about every issued link; `link-activity` events follow as it changes. */
  getLinkActivity(): Promise<LinkActivitySnapshot>;
  /** Every open, refusal and close of one issued link, newest first. */
  getLinkHistory(id: string): Promise<ConsoleAuditRecord[]>;
  /** Follows a VM's console openings while its details are shown; `console-openings` events follow. */
  watchConsoleOpenings(context: string, namespace: string, name: string): Promise<ConsoleOpenings>;
  unwatchConsoleOpenings(context: string, namespace: string, name: string): Promise<void>;

  // VM power: start, stop, restart, pause, unpause with the person's own credentials.
  /** The actions the API server allows this person on this VM (a SelfSubjectAccessReview each), whatever its state. */
  vmPowerActions(context: string, namespace: string, name: string): Promise<VmPowerAction[]>;
  /** Resolves once KubeVirt accepted the action; the new status arrives as `inventory` events. */
  powerVm(context: string, namespace: string, name: string, action: VmPowerAction): Promise<void>;
}

/** Every method name, for handler tables and checks that each one is implemented. */
export const desktopApiMethods = [
  'listContexts', 'selectContext', 'watchInventory', 'screenshot',
  'getClusterSettings', 'saveClusterSettings', 'getAppSettings', 'saveAppSettings', 'getGateway',
  'shareConsole', 'listIssuedLinks', 'copyIssuedLink', 'revokeLink', 'copyText', 'sendByMail',
  'checkSharePermission', 'inviteToConsole',
  'inspectLink', 'openConsole', 'closeConsole', 'openInVncClient', 'closeVncBridge', 'launchVncClient',
  'rendererReady',
  'getLinkActivity', 'getLinkHistory', 'watchConsoleOpenings', 'unwatchConsoleOpenings',
  'vmPowerActions', 'powerVm',
] as const satisfies readonly (keyof DesktopApi)[];

export type DesktopApiMethod = (typeof desktopApiMethods)[number];

/** Compiles only while `desktopApiMethods` lists every method of the contract. */
export const everyMethodListed: Exclude<keyof DesktopApi, DesktopApiMethod> extends never ? true : never = true;

/** The renderer's side: the contract plus the event stream. */
export interface DesktopClient extends DesktopApi {
  onEvent(listener: (event: DesktopEvent) => void): () => void;
}
