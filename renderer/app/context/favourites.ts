// Favourite VMs live in AppSettings, per context, as `<namespace>/<name>` keys.

import type { AppSettings } from '../../../shared/desktop-api.ts';

export function isFavourite(settings: AppSettings | undefined, context: string, key: string): boolean {
  return settings?.favourites[context]?.includes(key) ?? false;
}

/** New settings with the VM's favourite flag flipped; a context without favourites drops out. */
export function toggleFavourite(settings: AppSettings, context: string, key: string): AppSettings {
  const current = settings.favourites[context] ?? [];
  const next = current.includes(key) ? current.filter((k) => k !== key) : [...current, key].sort();
  const favourites = { ...settings.favourites };
  if (next.length === 0) delete favourites[context];
  else favourites[context] = next;
  return { ...settings, favourites };
}
