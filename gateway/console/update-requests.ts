/**
 * The FramebufferUpdateRequests of every viewer of a shared VNC console,
 * merged into what the upstream sees: one incremental request outstanding at
 * a time, the others folded into it. A viewer that needs the whole screen (a
 * joiner, or a viewer whose backlog was dropped) is asked for at once, even
 * past an outstanding incremental request: a server holds an incremental
 * request until something changes, which on a still screen is never. The
 * screen is always asked for whole: a region one viewer asks for is a part of
 * what the others will be sent anyway. A full request outstanding serves
 * every viewer that needs the whole screen until it is answered, so viewers
 * that skipped an update together cost the upstream one whole picture.
 */
export class UpdateRequests {
  private outstanding = false;
  private fullOutstanding = false;
  private pending = false;

  /** A viewer asks for an update; what to send upstream now, if anything. */
  ask(full: boolean): { incremental: boolean } | undefined {
    if (full) {
      if (this.fullOutstanding) return undefined;
      this.outstanding = true;
      this.fullOutstanding = true;
      return { incremental: false };
    }
    if (this.outstanding) {
      this.pending = true;
      return undefined;
    }
    this.outstanding = true;
    return { incremental: true };
  }

  /** A FramebufferUpdate arrived: the request is answered; a merged incremental one, if any, goes now. */
  answered(): { incremental: boolean } | undefined {
    this.outstanding = false;
    this.fullOutstanding = false;
    if (!this.pending) return undefined;
    this.pending = false;
    return this.ask(false);
  }
}
