// Consoles: a received link's (through its gateway) or the operator's own
// (straight to the API server), shown in a window or served to a native VNC
// client on a guarded local bridge.
import type { ConsoleOpenOptions, ConsoleTarget, DesktopApi, VncBridge } from '../../shared/desktop-api.ts';
import { parseLink, LinkError } from '../../shared/links.ts';
import type { ConsoleChannel } from '../services/console-channel.ts';
import { openVncBridge, type RunningBridge } from '../services/console-bridge.ts';
import { connectOwn, connectWithLink, inspectLink, openLinkConsole, openOwnConsole, type OpenedConsole } from '../services/consoles.ts';
import { invalid, requireBoolean, requireLabel, requireObject, requireString } from '../services/validate-input.ts';
import { guarded, requireLinkText, type DesktopCore } from './core.ts';
import type { CreateDesktopApiOptions } from './options.ts';

export type ConsolesApi = Pick<DesktopApi, 'inspectLink' | 'openConsole' | 'closeConsole' | 'openInVncClient' | 'closeVncBridge'>;

/** A ticket nobody picks up must not hold a console session forever. */
const UNTAKEN_MS = 60_000;

export function createConsolesApi(core: DesktopCore, options: Pick<CreateDesktopApiOptions, 'vncBridgeTransport'>) {
  const { env, now, linkSessions, clientFor, knownContext } = core;
  const untaken = new Map<string, ConsoleChannel>();
  const consoles = new Map<string, ConsoleChannel>();
  const bridges = new Map<string, RunningBridge>();
  const transport = options.vncBridgeTransport ? { transport: options.vncBridgeTransport } : {};

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

  const readTarget = (value: unknown): { kind: 'link'; link: string } | { kind: 'own'; context: string; namespace: string; name: string } => {
    const target = requireObject(value, 'the console target');
    if (target.kind === 'link') return { kind: 'link', link: requireLinkText(target.link) };
    if (target.kind === 'own') return { kind: 'own', context: knownContext(target.context), namespace: requireLabel(target.namespace, 'namespace'), name: requireLabel(target.name, 'name') };
    throw invalid('the console target must be a link or your own console');
  };

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
      if (target.kind === 'link') return register(await openLinkConsole(target.link, takeOver, { env, now, sessions: linkSessions }));
      const opened = await openOwnConsole(clientFor(target.context), target.namespace, target.name, takeOver);
      core.addRecent(target.context, target.namespace, target.name);
      return register(opened);
    }),
    closeConsole: (id) => guarded(() => {
      const key = requireString(id, 'the console id');
      untaken.delete(key);
      consoles.get(key)?.close(1000, 'closed');
      consoles.delete(key);
    }),
    openInVncClient: (rawTarget) => guarded(async (): Promise<VncBridge> => {
      const target = readTarget(rawTarget);
      let bridge: RunningBridge;
      if (target.kind === 'link') {
        const parsed = parsedLink(target.link);
        const summary = inspectLink(target.link);
        bridge = await openVncBridge({ connect: () => connectWithLink(parsed, false, { env, now, sessions: linkSessions }), ...(summary.until ? { until: Date.parse(summary.until) } : {}), now, ...transport });
      } else {
        const client = clientFor(target.context);
        bridge = await openVncBridge({ connect: () => connectOwn(client, target.namespace, target.name, false), now, ...transport });
      }
      bridges.set(bridge.info.id, bridge);
      void bridge.closed.then(() => bridges.delete(bridge.info.id));
      return bridge.info;
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
