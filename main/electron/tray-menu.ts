// The tray menu as plain data: recent and favourite VMs of the current context,
// each with a quick-share and an "Open console", the issued links opened lately
// (each shows the Issued links view), then the app's own entries.
// tray.ts turns it into an Electron Menu; tests read it directly.

import { clockTime } from '../../shared/clock-time.ts';
import type { TrayModel } from './desktop-api-types.ts';

export type TrayAction =
  | { kind: 'quick-share'; context: string; namespace: string; name: string }
  | { kind: 'open-console'; context: string; namespace: string; name: string }
  | { kind: 'open-link-from-clipboard' }
  | { kind: 'show-links' }
  | { kind: 'show' }
  | { kind: 'quit' };

export type TrayItem =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'submenu'; label: string; submenu: TrayItem[] };

export const MAX_TRAY_VMS = 15;

/** "team-a/web-1 (for Carol) opened 10:42 from 203.0.113.9" */
export function recentOpenLabel(opened: TrayModel['recentOpens'][number]): string {
  return `${opened.namespace}/${opened.name}${opened.label ? ` (${opened.label})` : ''} opened ${clockTime(opened.at)}${opened.client ? ` from ${opened.client}` : ''}`;
}

export function trayMenu(model: TrayModel): TrayItem[] {
  const items: TrayItem[] = [];
  const context = model.context;
  if (context === undefined) {
    items.push({ type: 'normal', label: 'No cluster context', enabled: false });
  } else {
    items.push({ type: 'normal', label: `Context: ${context}`, enabled: false });
    const vms = [...model.vms.filter((vm) => vm.favourite), ...model.vms.filter((vm) => !vm.favourite)].slice(0, MAX_TRAY_VMS);
    if (vms.length === 0) items.push({ type: 'normal', label: 'No recent or favourite VMs', enabled: false });
    for (const vm of vms) {
      const target = { context, namespace: vm.namespace, name: vm.name };
      items.push({
        type: 'submenu',
        label: `${vm.favourite ? '★ ' : ''}${vm.namespace}/${vm.name}`,
        submenu: [
          { type: 'normal', label: `Copy console link (${model.defaultLifetime})`, enabled: true, action: { kind: 'quick-share', ...target } },
          { type: 'normal', label: 'Open console', enabled: true, action: { kind: 'open-console', ...target } },
        ],
      });
    }
  }
  if (model.recentOpens.length > 0) {
    items.push({ type: 'separator' }, { type: 'normal', label: 'Your links, opened lately', enabled: false });
    for (const opened of model.recentOpens) items.push({ type: 'normal', label: recentOpenLabel(opened), enabled: true, action: { kind: 'show-links' } });
  }
  items.push(
    { type: 'separator' },
    { type: 'normal', label: 'Open link from clipboard', enabled: true, action: { kind: 'open-link-from-clipboard' } },
    { type: 'normal', label: 'Show Gatepass', enabled: true, action: { kind: 'show' } },
    { type: 'separator' },
    { type: 'normal', label: 'Quit', enabled: true, action: { kind: 'quit' } },
  );
  return items;
}

/** Which tray icon suits the platform: a template image on macOS, else the one that shows on the panel. */
export function trayIconFile(platform: NodeJS.Platform, darkPanel: boolean): string {
  if (platform === 'darwin') return 'trayTemplate.png';
  return darkPanel ? 'tray-light.png' : 'tray-dark.png';
}

/** Every tray icon file the app may load (with the @2x variants Electron picks up itself). */
export const TRAY_ICON_FILES = ['trayTemplate.png', 'trayTemplate@2x.png', 'tray-light.png', 'tray-light@2x.png', 'tray-dark.png', 'tray-dark@2x.png'] as const;
