// The tray: the menu model from tray-menu.ts as an Electron Menu, rebuilt when
// asked (VMs, favourites or the context changed).

import { Menu, Tray, nativeImage } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import type { TrayModel } from './desktop-api-types.ts';
import { trayMenu } from './tray-menu.ts';
import type { TrayAction, TrayItem } from './tray-menu.ts';

export interface AppTray {
  rebuild(): void;
  destroy(): void;
}

export function createAppTray(options: { icon: string; model(): TrayModel; act(action: TrayAction): void }): AppTray {
  const image = nativeImage.createFromPath(options.icon);
  if (options.icon.endsWith('Template.png')) image.setTemplateImage(true);
  const tray = new Tray(image);
  tray.setToolTip('Gatepass');
  const rebuild = () => {
    tray.setContextMenu(Menu.buildFromTemplate(trayMenu(options.model()).map((item) => toMenuItem(item, options.act))));
  };
  rebuild();
  return { rebuild, destroy: () => tray.destroy() };
}

function toMenuItem(item: TrayItem, act: (action: TrayAction) => void): MenuItemConstructorOptions {
  if (item.type === 'separator') return { type: 'separator' };
  if (item.type === 'submenu') return { label: item.label, submenu: item.submenu.map((child) => toMenuItem(child, act)) };
  const action = item.action;
  return { label: item.label, enabled: item.enabled, ...(action ? { click: () => act(action) } : {}) };
}
