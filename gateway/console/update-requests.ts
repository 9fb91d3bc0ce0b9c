/**
 * The FramebufferUpdateRequests of every viewer of a shared VNC console,
 * merged into what the upstream sees: one request outstanding at a time,
 * incremental unless a viewer needs the whole screen (a joiner, or a viewer
 * whose backlog was dropped). The screen is always asked for whole: a region
 * one viewer asks for is a part of what the others will be sent anyway.
 */
export class UpdateRequests {
  private outstanding = false;
  private pending: 'none' | 'incremental' | 'full' = 'none';

  /** A viewer asks for an update; what to send upstream now, if anything. */
  ask(full: boolean): { incremental: boolean } | undefined {
    if (this.outstanding) {
      if (full) this.pending = 'full';
      else if (this.pending === 'none') this.pending = 'incremental';
      return undefined;
    }
    this.outstanding = true;
    return { incremental: !full };
  }

  /** A FramebufferUpdate arrived: the request is answered; the merged pending one, if any, goes now. */
  answered(): { incremental: boolean } | undefined {
    this.outstanding = false;
    if (this.pending === 'none') return undefined;
    const full = this.pending === 'full';
    this.pending = 'none';
    return this.ask(full);
  }
}
