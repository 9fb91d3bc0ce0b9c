// Deep links reach the app three ways: macOS 'open-url', the argv of a second
// instance (Windows, Linux), and the cold-start process.argv. They are passed
// on exactly as received — a token is case-sensitive — and held until main's
// API exists (macOS can deliver 'open-url' before the app is ready).

export const DEEP_LINK_SCHEME = 'gatepass';

export function isDeepLink(text: string): boolean {
  return typeof text === 'string' && text.slice(0, DEEP_LINK_SCHEME.length + 1).toLowerCase() === `${DEEP_LINK_SCHEME}:`;
}

/** The deep link on a command line, if any (the last one wins, as the newest intent). */
export function deepLinkFromArgv(argv: readonly string[]): string | undefined {
  for (let i = argv.length - 1; i >= 0; i--) {
    const arg = argv[i];
    if (arg !== undefined && isDeepLink(arg)) return arg;
  }
  return undefined;
}

/** Holds deep links until a receiver is attached, then forwards them in order. */
export class DeepLinkInbox {
  #held: string[] = [];
  #receiver: ((url: string) => void) | undefined;

  receive(url: string): void {
    if (!isDeepLink(url)) return;
    if (this.#receiver) this.#receiver(url);
    else this.#held.push(url);
  }

  attach(receiver: (url: string) => void): void {
    this.#receiver = receiver;
    for (const url of this.#held.splice(0)) receiver(url);
  }
}
