import WebSocket from 'ws';

export interface ConsoleAttempt {
  ws: WebSocket;
  /** The first binary frame, when the console opened. */
  data?: Buffer;
  /** How the gateway closed it, when it refused. */
  code?: number;
  reason?: string;
}

export const bearerSubprotocol = (token: string): string => `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;

/** Opens a console websocket and resolves with its first bytes, or with the close code and reason. */
export function openConsole(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<ConsoleAttempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? ['plain.kubevirt.io'], { headers: options.headers ?? {} });
    ws.once('message', (data) => resolve({ data: data as Buffer, ws }));
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString(), ws }));
    ws.once('error', reject);
  });
}

/** Resolves with the close code and reason of an open console. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/**
 * A VNC console opened on the stand-in directly, as virtctl would, past any
 * gateway: the one session KubeVirt allows per VMI, held by someone else.
 */
export async function outsideHolder(h: { cluster: { server: string; caPem: string; credentials: Record<string, { token?: string }> } }, namespace: string, name: string): Promise<WebSocket> {
  const ws = new WebSocket(`${h.cluster.server.replace(/^http/, 'ws')}/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances/${name}/vnc`, ['plain.kubevirt.io'], {
    headers: { authorization: `Bearer ${h.cluster.credentials['gateway']?.token ?? ''}` },
    ca: h.cluster.caPem,
  });
  await new Promise<void>((resolve, reject) => ws.once('message', () => resolve()).once('error', reject));
  return ws;
}
