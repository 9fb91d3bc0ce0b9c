// The console relay paths measured side by side, how the load client reaches
// each, and which processes each run is charged to. Every path ends at the same
// Xvnc; the stand-in's console websocket is the KubeVirt-like upstream.
import { vncPath } from '../../../shared/kubevirt-paths.ts';
import { tcpChannel, websocketChannel, type ByteChannel } from '../lib/byte-channel.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { XVNC_VM, type Stack } from './stack.ts';

export const RELAY_PATHS = [
  'direct TCP',
  'stand-in wss',
  'gatepass → wss',
  'gatepass view-only → wss',
  'stand-in ws',
  'gatepass → ws',
  'websockify',
] as const;

export type RelayPath = (typeof RELAY_PATHS)[number];

export const RELAY_PATH_NOTES: Record<RelayPath, string> = {
  'direct TCP': 'the load client straight to Xvnc',
  'stand-in wss': "the stand-in's console websocket alone, over TLS (the upstream as a gateway sees it)",
  'gatepass → wss': 'Gatepass in front of it, TLS upstream, full-control link',
  'gatepass view-only → wss': 'the same gateway, a view-only link (client→server RFB input filtered)',
  'stand-in ws': "the stand-in's console websocket alone, over plain HTTP",
  'gatepass → ws': 'a second Gatepass in front of that, plain-HTTP upstream: the relay without TLS',
  websockify: 'websockify in front of Xvnc',
};

/** The processes whose CPU a run is charged to, when the path goes through them. */
export const WATCHED = ['gateway', 'stand-in', 'websockify'] as const;
export type Watched = (typeof WATCHED)[number];

export interface RelayRoute {
  connect(): Promise<ByteChannel>;
  /** The gateway in the path, whose memory and collections are read too. */
  gateway?: GatewayProcess;
  watched: Partial<Record<Watched, number>>;
}

/** One gateway in front of the stand-in over TLS (full control and view-only), one over plain HTTP. */
export interface RelayGateways {
  tls: GatewayProcess;
  plain: GatewayProcess;
}

/** How a viewer presents its link to the gateway: the Kubernetes bearer subprotocol. */
export const bearerSubprotocol = (token: string): string => `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;
const consolePath = vncPath(XVNC_VM.namespace, XVNC_VM.name);

function standIn(stack: Stack, server: string): RelayRoute {
  return {
    connect: () => websocketChannel(`${server.replace(/^http/, 'ws')}${consolePath}`, {
      protocols: ['plain.kubevirt.io'],
      headers: { authorization: `Bearer ${stack.cluster.gatewayToken}` },
      ...(server.startsWith('https:') ? { ca: stack.cluster.caPem } : {}),
    }),
    watched: { 'stand-in': stack.cluster.pid },
  };
}

function gatepass(stack: Stack, gateway: GatewayProcess, viewOnly: boolean): RelayRoute {
  return {
    connect: async () => {
      // A fresh link per run, as each viewer brings its own; view-only is the token claim, nothing in the URL.
      const link = await stack.sign({ urls: [consolePath], ...(viewOnly ? { restrictions: { viewOnly: true } } : {}) });
      return websocketChannel(`${gateway.url.replace(/^http:/, 'ws:')}/k8s${consolePath}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(link)] });
    },
    gateway,
    watched: { gateway: gateway.pid, 'stand-in': stack.cluster.pid },
  };
}

export function relayRoute(stack: Stack, gateways: RelayGateways, path: RelayPath): RelayRoute {
  switch (path) {
    case 'direct TCP':
      return { connect: () => tcpChannel({ host: '127.0.0.1', port: stack.xvnc.port }), watched: {} };
    case 'stand-in wss':
      return standIn(stack, stack.cluster.server);
    case 'gatepass → wss':
      return gatepass(stack, gateways.tls, false);
    case 'gatepass view-only → wss':
      return gatepass(stack, gateways.tls, true);
    case 'stand-in ws':
      return standIn(stack, stack.cluster.plainServer);
    case 'gatepass → ws':
      return gatepass(stack, gateways.plain, false);
    case 'websockify':
      return { connect: () => websocketChannel(`${stack.websockify.url}/`, { protocols: ['binary'] }), watched: { websockify: stack.websockify.pid } };
  }
}
