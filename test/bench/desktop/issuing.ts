// Link issuing through main's services, in Node, against the stand-in and the
// gateway: shareConsole as the operator. Cold = a fresh createDesktopApi each
// time (no client, identity, key or gateway cached: what the first share after
// starting the app costs); warm = the same services again, key cached. The
// floor next to them: signing the same claims with jose alone.
import { SignJWT } from 'jose';
import { createDesktopApi, type DesktopApiImpl, type KeyValueStore } from '../../../main/desktop-api-impl.ts';
import { bridgePlatform } from '../../../main/dev-bridge/platform.ts';
import { buildClaims } from '../../../shared/claims.ts';
import { vncPath } from '../../../shared/kubevirt-paths.ts';
import type { ShareRequest } from '../../../shared/desktop-api.ts';
import type { DesktopStack } from '../../support/desktop-stack.ts';

export interface IssuingResults {
  coldMs: number[];
  warmMs: number[];
  signOnlyMs: number[];
}

const REQUEST: ShareRequest = { context: 'operator', namespace: 'team-a', name: 'web-1', duration: '15m' };

function memoryStore(): KeyValueStore {
  const data = new Map<string, unknown>();
  return { get: (key) => structuredClone(data.get(key)), set: (key, value) => void data.set(key, structuredClone(value)), delete: (key) => void data.delete(key) };
}

function freshApi(stack: DesktopStack): DesktopApiImpl {
  return createDesktopApi({
    platform: bridgePlatform(() => undefined),
    store: memoryStore(),
    kubeconfigPaths: [stack.harness.cluster.kubeconfigPath],
    env: {},
    loginPath: async () => undefined,
  });
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export async function benchIssuing(stack: DesktopStack, options: { cold: number; warm: number }): Promise<IssuingResults> {
  const coldMs: number[] = [];
  for (let i = 0; i < options.cold; i++) {
    const api = freshApi(stack);
    try {
      coldMs.push(await timed(() => api.shareConsole(REQUEST)));
    } finally {
      await api.dispose();
    }
  }

  const warmMs: number[] = [];
  const api = freshApi(stack);
  try {
    const first = await api.shareConsole(REQUEST);
    if (!first.link.startsWith(`${stack.gatewayUrl}/open#token=`)) throw new Error(`unexpected link ${first.link}`);
    for (let i = 0; i < 20; i++) await api.shareConsole(REQUEST);
    for (let i = 0; i < options.warm; i++) warmMs.push(await timed(() => api.shareConsole(REQUEST)));
  } finally {
    await api.dispose();
  }

  const key = stack.harness.key;
  const sign = () => new SignJWT({ ...buildClaims({ urls: [vncPath('team-a', 'web-1')], now: Date.now(), duration: '15m', id: 'bench' }) })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .sign(key.key);
  for (let i = 0; i < 20; i++) await sign();
  const signOnlyMs: number[] = [];
  for (let i = 0; i < options.warm; i++) signOnlyMs.push(await timed(sign));
  return { coldMs, warmMs, signOnlyMs };
}
