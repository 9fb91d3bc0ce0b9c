import { useEffect } from 'react';
import type { RefObject } from 'react';

export interface FocusReturnOptions {
  /** Focus the container itself as it opens, unless focus is already inside (a modal <dialog> moves it in by itself). */
  moveIn?: boolean;
}

/**
 * A dialog or panel takes the keyboard when it opens and gives it back to
 * whatever had it (the control that opened it) when it closes, so a keyboard
 * user is never dropped at the top of the page. Focus the person has since
 * moved elsewhere is left where it is.
 */
export function useFocusReturn(container: RefObject<HTMLElement | null>, { moveIn = false }: FocusReturnOptions = {}): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : undefined;
    const element = container.current;
    if (moveIn && element && !element.contains(document.activeElement)) element.focus({ preventScroll: true });
    return () => {
      const active = document.activeElement;
      const lostWithIt = active === null || active === document.body || (element?.contains(active) ?? false);
      if (opener?.isConnected && lostWithIt) opener.focus({ preventScroll: true });
    };
  }, [container, moveIn]);
}
