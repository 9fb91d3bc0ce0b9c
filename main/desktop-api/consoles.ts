// Consoles: a received link's (through its gateway) or the operator's own
// (straight to the API server), the screen or the serial console, shown in a
// window; the screen also served to a native VNC client on a guarded local bridge.
import type { ConsoleKind, ConsoleOpenOptions, ConsoleTarget, DesktopApi, VncBridge } from '../../shared/desktop-api.ts';
import { parseLink, LinkError } from '../../shared/links.ts';
import type { ConsoleChannel } from '../services/console-channel.ts';
import { openVncBridge, type BridgeOptions, type RunningBridge } from '../services/console-bridge.ts';
import { DesktopFailure } from '../services/errors.ts';
import { vncLaunchUrl } from '../services/vnc-launch.ts';
import { connectOwn, connectWithLink, inspectLink, linkConsoleKind, openLinkConsole, openOwnConsole, type OpenedConsole } from '../services/consoles.ts';
import { invalid, requireBoolean, requireConsoleKind, requireLabel, requireObject, requireString } from '../services/validate-input.ts';
import { guarded, requireLinkText, type DesktopCore } from './core.ts';
import type { CreateDesktopApiOptions } from './options.ts';

export type ConsolesApi = Pick<DesktopApi, 'inspectLink' | 'openConsole' | 'closeConsole' | 'openInVncClient' | 'launchVncClient' | 'closeVncBridge'>;

/** A ticket nobody picks up must not hold a console session forever. */
const UNTAKEN_MS = 60_000;
/** The longest closeConsole waits for a console's connection to close. */
const CLOSE_WAIT_MS = 2_000;

export function createConsolesApi(core: DesktopCore, options: Pick<CreateDesktopApiOptions, 'vncBridgeTransport'>) {
  const { env, now, platform, linkSessions, clientFor, knownContext, emit } = core;
  const untaken = new Map<string, ConsoleChannel>();
  const consoles = new Map<string, ConsoleChannel>();
  const bridges = new Map<string, RunningBridge>();

  const register = (opened: OpenedConsole) => {
    untaken.set(opened.ticket.id, opened.channel);
    consoles.set(opened.ticket.id, opened.channel);
    opened.channel.onClose(() => consoles.delete(opened.ticket.id));
    const abandon = setTimeout(() => {
      if (untaken.delete(opened.ticket.id)) opened.channel.close(1000, 'the console was never shown');
    }, UNTAKEN_MS);
    abandon.unref();
    return opened.ticket;
  };

  type Target =
    | { kind: 'link'; link: string; console: ConsoleKind | undefined }
    | { kind: 'own'; context: string; namespace: string; name: string; console: ConsoleKind };
  const readTarget = (value: unknown): Target => {
    const target = requireObject(value, 'the console target');
    const chosen = target.console === undefined ? undefined : requireConsoleKind(target.console, 'the console');
    if (target.kind === 'link') return { kind: 'link', link: requireLinkText(target.link), console: chosen };
    if (target.kind === 'own') {
      return { kind: 'own', context: knownContext(target.context), namespace: requireLabel(target.namespace, 'namespace'), name: requireLabel(target.name, 'name'), console: chosen ?? 'vnc' };
    }
    throw invalid('the console target must be a link or your own console');
  };

  const noVncClient = () => new DesktopFailure('unsupported', 'A VNC client shows only the screen: open the serial console in Gatepass instead.');

  const parsedLink = (text: string) => {
    try {
      return parseLink(text);
    } catch (error) {
      if (error instanceof LinkError) throw invalid(error.message);
      throw error;
    }
  };

  const api: ConsolesApi = {
    inspectLink: (text) => guarded(() => inspectLink(requireLinkText(text))),
    openConsole: (rawTarget: ConsoleTarget, rawOptions: ConsoleOpenOptions) => guarded(async () => {
      const target = readTarget(rawTarget);
      const takeOver = requireBoolean(requireObject(rawOptions, 'the console options').takeOver ?? false, 'take over');
      if (target.kind === 'link') return register(await openLinkConsole(target.link, takeOver, { env, now, sessions: linkSessions }, target.console));
      const opened = await openOwnConsole(clientFor(target.context), target.namespace, target.name, takeOver, target.console);
      core.addRecent(target.context, target.namespace, target.name);
      return register(opened);
    }),
    closeConsole: (id) => guarded(async () => {
      const key = requireString(id, 'the console id');
      untaken.delete(key);
      const channel = consoles.get(key);
      consoles.delete(key);
      if (!channel) return;
      // Resolves once the connection is closed (bounded): a console opened next with
      // preserveSession would otherwise find this one still holding the VM's session.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        timer.unref();
        channel.onClose(() => {
          clearTimeout(timer);
          resolve();
        });
        channel.close(1000, 'closed');
      });
    }),
    openInVncClient: (rawTarget) => guarded(async (): Promise<VncBridge> => {
      const target = readTarget(rawTarget);
      if (target.console === 'serial') throw noVncClient();
      let connect: BridgeOptions['connect'];
      let until: number | undefined;
      if (target.kind === 'link') {
        const parsed = parsedLink(target.link);
        const summary = inspectLink(target.link);
        if (linkConsoleKind(summary, undefined) !== 'vnc') throw noVncClient();
        until = summary.until === undefined ? undefined : Date.parse(summary.until);
        // A bridge that would close as it opens only hands out a dead address.
        if (until !== undefined && until <= now()) throw new DesktopFailure('invalid-input', `This link expired at ${summary.until}: ask its sender for a new one.`);
        connect = () => connectWithLink(parsed, false, { env, now, sessions: linkSessions });
      } else {
        const client = clientFor(target.context);
        connect = () => connectOwn(client, target.namespace, target.name, false);
      }
      // A vnc:// handler can only be given a loopback port, so with one the bridge is the password-guarded port.
      const launcher = await platform.vncClient?.handlerName().catch(() => undefined);
      const transport = options.vncBridgeTransport ?? (launcher === undefined ? platform.vncClient?.transport : 'loopback');
      const bridge = await openVncBridge({ connect, now, ...(until === undefined ? {} : { until }), ...(transport ? { transport } : {}) });
      bridges.set(bridge.info.id, bridge);
      // Whoever shows its address learns it is dead, however it ended.
      void bridge.closed.then((end) => {
        bridges.delete(bridge.info.id);
        emit({ kind: 'vnc-bridge-closed', id: bridge.info.id, end });
      });
      return launcher !== undefined && vncLaunchUrl(bridge.info.address) !== undefined ? { ...bridge.info, launcher } : bridge.info;
    }),
    launchVncClient: (id) => guarded(async () => {
      const bridge = bridges.get(requireString(id, 'the bridge id'));
      if (!bridge) throw new DesktopFailure('not-found', 'This VNC bridge is closed.');
      const url = vncLaunchUrl(bridge.info.address);
      const launcher = await platform.vncClient?.handlerName().catch(() => undefined);
      if (!platform.vncClient || launcher === undefined || url === undefined) throw new DesktopFailure('unsupported', 'No VNC client can be launched here: give yours the address instead.');
      await platform.vncClient.launch(url);
    }),
    closeVncBridge: (id) => guarded(() => {
      bridges.get(requireString(id, 'the bridge id'))?.close();
    }),
  };

  return {
    api,
    /** The byte channel of a console opened with openConsole (once; undefined if unknown or already taken). */
    takeChannel(id: string): ConsoleChannel | undefined {
      const channel = untaken.get(id);
      untaken.delete(id);
      return channel;
    },
    async stop(): Promise<void> {
      for (const channel of consoles.values()) channel.close(1001, 'Gatepass is closing');
      consoles.clear();
      untaken.clear();
      await Promise.all([...bridges.values()].map((bridge) => {
        bridge.close();
        return bridge.closed;
      }));
    },
  };
}
