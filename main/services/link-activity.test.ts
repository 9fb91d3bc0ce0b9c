import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IssuedLink } from '../../shared/desktop-api.ts';
import { FOLLOW_AFTER_EXPIRY_MS } from '../../shared/link-activity.ts';
import type { KubeClient } from './kube-client.ts';
import { AGE_OUT_EVERY_MS, startLinkActivity } from './link-activity.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** A client whose Event lists are empty and whose watches last until aborted; `watching` is the namespaces watched now. */
function eventsClient() {
  const watches = new Map<string, AbortSignal>();
  const client: KubeClient = {
    context: 'operator',
    server: 'https://cluster.test',
    namespace: undefined,
    request: async <T>() => ({ items: [], metadata: { resourceVersion: '1' } }) as T,
    requestBytes: () => Promise.reject(new Error('not used')),
    openWebSocket: () => Promise.reject(new Error('not used')),
    watch(path, _onEvent, signal, onOpen) {
      const namespace = /\/namespaces\/([^/]+)\/events/.exec(path)?.[1];
      if (namespace === undefined) throw new Error(`unexpected watch ${path}`);
      watches.set(namespace, signal);
      onOpen?.();
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
  const watching = () => [...watches].filter(([, signal]) => !signal.aborted).map(([namespace]) => namespace).sort();
  return { client, watching };
}

function issued(id: string, namespace: string, until: number): IssuedLink {
  return {
    id, context: 'operator', namespace, name: 'vm', from: new Date(until - 3_600_000).toISOString(), until: new Date(until).toISOString(),
    options: { viewOnly: false, singleUse: false }, consoles: ['vnc'], gateway: 'https://gateway.test', issuedBy: 'alice', canCopyAgain: false, revoked: false,
  };
}

describe('link activity while the app sits idle', () => {
  it('stops watching the Events of a namespace whose only link aged out, with no share or revoke in between', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let clock = Date.parse('2026-12-01T12:00:00Z');
    const { client, watching } = eventsClient();
    // Followed now, past the cut-off half an hour from now.
    const ageing = issued('ageing', 'old-team', clock - FOLLOW_AFTER_EXPIRY_MS + 30 * 60_000);
    const current = issued('current', 'team-a', clock + 24 * 3_600_000);
    const service = startLinkActivity({
      clientFor: () => client,
      links: () => [ageing, current],
      counterNamespace: () => 'kube-gateway',
      onSnapshot: () => undefined,
      onOpenings: () => undefined,
      onLinkOpened: () => undefined,
      now: () => clock,
    });
    try {
      await vi.advanceTimersByTimeAsync(0);
      expect(watching()).toEqual(['old-team', 'team-a']);
      expect(Object.keys(service.snapshot().links).sort()).toEqual(['ageing', 'current']);

      clock += AGE_OUT_EVERY_MS;
      await vi.advanceTimersByTimeAsync(AGE_OUT_EVERY_MS);
      expect(watching()).toEqual(['team-a']);
      expect(Object.keys(service.snapshot().links)).toEqual(['current']);
    } finally {
      service.stop();
    }
  });
});
