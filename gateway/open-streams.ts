import type { ServerResponse } from 'node:http';

const maxTimerMs = 2 ** 31 - 1;

/**
 * Proxied responses that stream for as long as the client wants (watches,
 * followed logs). A link's rights end at its expiry or revocation, and so do
 * its streams; the count per link keeps one link from holding every upstream
 * connection.
 */
export class OpenStreams {
  private readonly open = new Map<ServerResponse, { tokenId: string | undefined; timer: NodeJS.Timeout }>();

  countOf(tokenId: string | undefined): number {
    let count = 0;
    for (const entry of this.open.values()) if (entry.tokenId === tokenId) count += 1;
    return count;
  }

  add(res: ServerResponse, tokenId: string | undefined, expiresAt: number): void {
    const arm = (): NodeJS.Timeout => {
      const timer = setTimeout(() => {
        if (Date.now() < expiresAt) return void (entry.timer = arm());
        res.destroy();
      }, Math.min(Math.max(0, expiresAt - Date.now()), maxTimerMs));
      timer.unref();
      return timer;
    };
    const entry = { tokenId, timer: arm() };
    this.open.set(res, entry);
    res.once('close', () => {
      clearTimeout(entry.timer);
      this.open.delete(res);
    });
  }

  closeRevoked(isRevoked: (tokenId: string | undefined) => boolean): number {
    let closed = 0;
    for (const [res, entry] of this.open) {
      if (!isRevoked(entry.tokenId)) continue;
      res.destroy();
      closed += 1;
    }
    return closed;
  }

  closeAll(): void {
    for (const res of this.open.keys()) res.destroy();
  }
}
