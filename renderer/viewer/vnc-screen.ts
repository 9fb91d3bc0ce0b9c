// The VM's screen over VNC: noVNC's RFB client over the console's channel.

import RFB from '@novnc/novnc';
import type { WebSocketLike } from './channel.ts';
import { keyEvents } from './keystrokes.ts';
import type { Keystroke } from './keystrokes.ts';
import { CHORD_KEYS } from './leave-console.ts';

export interface VncScreenOptions {
  viewOnly: boolean;
  scaled: boolean;
  /** The RFB handshake completed: the console is connected. */
  onConnect: () => void;
}

export class VncScreen {
  readonly #rfb: RFB;

  constructor(container: HTMLElement, channel: WebSocketLike, options: VncScreenOptions) {
    this.#rfb = new RFB(container, channel, { shared: true });
    this.#rfb.scaleViewport = options.scaled;
    this.#rfb.viewOnly = options.viewOnly;
    this.#rfb.background = 'transparent';
    this.#rfb.addEventListener('connect', () => options.onConnect());
  }

  set viewOnly(viewOnly: boolean) {
    this.#rfb.viewOnly = viewOnly;
  }

  set scaled(scaled: boolean) {
    this.#rfb.scaleViewport = scaled;
  }

  focus(): void {
    this.#rfb.focus({ preventScroll: true });
  }

  sendCtrlAltDel(): void {
    this.#rfb.sendCtrlAltDel();
  }

  type(strokes: readonly Keystroke[]): void {
    for (const { keysym, down } of keyEvents(strokes)) this.#rfb.sendKey(keysym, null, down);
  }

  /** The leave chord's first keys reached the VM as presses before the chord was complete: release them. */
  releaseChordKeys(): void {
    for (const { keysym, code } of CHORD_KEYS) this.#rfb.sendKey(keysym, code, false);
  }

  dispose(): void {
    try {
      this.#rfb.disconnect();
    } catch {
      // Already disconnected: nothing left to close.
    }
  }
}
