// One VNC bridge per owner (a VM's details, a received link): opened when the
// person asks, closed when the owner changes or goes away. Nobody is left to
// read a failure then, and main closes bridges at expiry and on quit anyway.

import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { VncBridge } from '../../../shared/desktop-api.ts';
import { useLatest } from '../../viewer/use-latest.ts';
import { useClient } from '../client.tsx';
import { useAction, type Action } from './use-action.ts';

export interface VncBridgeState {
  bridge: VncBridge | undefined;
  opening: Action<[], VncBridge>;
  open: () => Promise<void>;
  /** The panel closed it (or saw it end): forget it without asking main again, and give focus back to the opener. */
  forget: () => void;
  /** For the "Open in VNC client" button, which takes the focus back when the panel goes. */
  opener: RefObject<HTMLButtonElement | null>;
}

export function useVncBridge(openBridge: () => Promise<VncBridge>, owner: string): VncBridgeState {
  const client = useClient();
  const [bridge, setBridge] = useState<VncBridge | undefined>();
  const opening = useAction(openBridge);
  const latest = useLatest(bridge);
  const opener = useRef<HTMLButtonElement>(null);
  // Which owner is shown now, or none once unmounted: a bridge that finishes opening for
  // another (or no) owner has nobody to show it, so it is closed instead of left listening.
  const current = useRef<string | undefined>(owner);

  useEffect(() => {
    current.current = owner;
    return () => {
      current.current = undefined;
      const open = latest.current;
      if (open) void client.closeVncBridge(open.id).catch(() => undefined);
      setBridge(undefined);
    };
  }, [client, owner, latest]);

  const open = useCallback(async () => {
    // Asked again: the new bridge replaces the old one rather than leaving it listening unseen.
    const previous = latest.current;
    if (previous) void client.closeVncBridge(previous.id).catch(() => undefined);
    setBridge(undefined);
    const askedFor = current.current;
    const opened = await opening.run();
    if (!opened) return;
    if (current.current !== askedFor || askedFor === undefined) void client.closeVncBridge(opened.id).catch(() => undefined);
    else setBridge(opened);
  }, [client, opening, latest]);
  const forget = useCallback(() => {
    setBridge(undefined);
    opener.current?.focus();
  }, []);
  return { bridge, opening, open, forget, opener };
}
