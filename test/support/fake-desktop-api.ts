// A DesktopApiImpl for the Electron glue tests: every contract method records
// its call and answers from `answers` (or with undefined), plus the main-only hooks.

import { desktopApiMethods } from '../../shared/desktop-api.ts';
import type { DesktopEvent } from '../../shared/desktop-api.ts';
import type { ConsoleChannel, DesktopApiImpl, TrayModel } from '../../main/electron/desktop-api-types.ts';

export interface FakeDesktopApi extends DesktopApiImpl {
  calls: Array<{ method: string; args: unknown[] }>;
  deepLinks: string[];
  answers: Record<string, (...args: unknown[]) => unknown>;
  channels: Map<string, ConsoleChannel>;
  emit(event: DesktopEvent): void;
  model: TrayModel;
  disposed: boolean;
}

export function fakeDesktopApi(): FakeDesktopApi {
  const listeners = new Set<(event: DesktopEvent) => void>();
  const api = {
    calls: [],
    deepLinks: [],
    answers: { getAppSettings: () => ({ closeToTray: false, notifyLinkOpened: true, favourites: {} }) },
    channels: new Map(),
    model: { context: 'operator', defaultLifetime: '1h', vms: [], recentOpens: [] },
    disposed: false,
    emit(event: DesktopEvent) {
      for (const listener of listeners) listener(event);
    },
    onEvent(listener: (event: DesktopEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    takeConsoleChannel(id: string) {
      const channel = api.channels.get(id);
      api.channels.delete(id);
      return channel;
    },
    trayModel() {
      return api.model;
    },
    async quickShare(context: string, namespace: string, name: string) {
      api.calls.push({ method: 'quickShare', args: [context, namespace, name] });
      return undefined as never;
    },
    receiveDeepLink(url: string) {
      api.deepLinks.push(url);
    },
    async dispose() {
      api.disposed = true;
    },
  } as unknown as FakeDesktopApi;
  for (const method of desktopApiMethods) {
    (api as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      api.calls.push({ method, args });
      const answer = api.answers[method];
      return answer ? answer(...args) : undefined;
    };
  }
  return api;
}
