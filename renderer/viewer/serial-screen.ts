// The serial console on screen: an xterm.js terminal over the console's
// channel. Typed and pasted text goes out as bytes, what the VM writes is shown
// as it comes; there is no resize channel (KubeVirt has none), so fitting the
// pane changes only how much the terminal shows.

import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { WebSocketLike } from './channel.ts';
import { binaryStringBytes, frameBytes, textBytes } from './serial-bytes.ts';
import { openWithinCsp } from './terminal-csp.ts';

/** Lines kept above the screen for scrolling back. */
export const SCROLLBACK_LINES = 5_000;

const OPEN = 1;

export interface SerialScreenOptions {
  viewOnly: boolean;
  /** The channel opened: the console is connected. */
  onOpen: () => void;
  onSelectionChange?: (hasSelection: boolean) => void;
}

export class SerialScreen {
  readonly #terminal: Terminal;
  readonly #fit = new FitAddon();
  readonly #channel: WebSocketLike;
  readonly #resize: ResizeObserver;
  #viewOnly: boolean;

  constructor(container: HTMLElement, channel: WebSocketLike, options: SerialScreenOptions) {
    this.#channel = channel;
    this.#viewOnly = options.viewOnly;
    this.#terminal = new Terminal({
      scrollback: SCROLLBACK_LINES,
      disableStdin: options.viewOnly,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      theme: { background: '#000000', foreground: '#e8eaef' },
    });
    this.#terminal.loadAddon(this.#fit);
    openWithinCsp(this.#terminal, container);
    this.#fitToPane();
    this.#resize = new ResizeObserver(() => this.#fitToPane());
    this.#resize.observe(container);

    this.#terminal.onData((text) => this.#send(textBytes(text)));
    this.#terminal.onBinary((data) => this.#send(binaryStringBytes(data)));
    this.#terminal.onSelectionChange(() => options.onSelectionChange?.(this.#terminal.hasSelection()));

    channel.binaryType = 'arraybuffer';
    channel.onmessage = (event) => {
      const bytes = frameBytes(event.data);
      if (bytes !== undefined) this.#terminal.write(bytes);
    };
    channel.onopen = () => options.onOpen();
    // A channel handed over already open (the app's) never fires open again.
    if (channel.readyState === OPEN) queueMicrotask(() => options.onOpen());
  }

  set viewOnly(viewOnly: boolean) {
    this.#viewOnly = viewOnly;
    this.#terminal.options.disableStdin = viewOnly;
  }

  focus(): void {
    this.#terminal.focus();
  }

  /** The selected text, '' when nothing is selected. */
  selection(): string {
    return this.#terminal.getSelection();
  }

  /** Text as if pasted: new lines become Return, and a VM that asked for bracketed paste gets it bracketed. */
  paste(text: string): void {
    this.#terminal.paste(text);
  }

  /** Closes the channel and takes the terminal off the page. */
  dispose(): void {
    this.#resize.disconnect();
    this.#channel.onmessage = null;
    this.#channel.onopen = null;
    this.#channel.close();
    this.#terminal.dispose();
  }

  #send(bytes: Uint8Array): void {
    // The gateway drops a view-only viewer's bytes too; nothing is sent for it to drop.
    if (this.#viewOnly || this.#channel.readyState !== OPEN) return;
    this.#channel.send(bytes);
  }

  #fitToPane(): void {
    // A pane with no size (hidden, or not laid out yet) would fit to zero columns.
    if (this.#terminal.element?.offsetParent === null) return;
    this.#fit.fit();
  }
}
