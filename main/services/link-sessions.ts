// The session the app presents to a gateway for each link it opens. A
// limited-use link counts one use per session, so reopening or reconnecting a
// link in this app (the console window, "Open in VNC client") spends no second
// use, while the same link opened anywhere else does.
import { createHash, randomBytes } from 'node:crypto';

// A link without a readable expiry keeps its session this long.
const FALLBACK_LIFETIME_MS = 24 * 3600_000;

export class LinkSessions {
  /** By a hash of the token, so this map holds no credential. */
  private readonly sessions = new Map<string, { id: string; until: number }>();

  constructor(private readonly now: () => number) {}

  /** The session id for a link, the same one for as long as the link lives (`until`, unix ms). */
  sessionFor(token: string, until: number | undefined): string {
    const now = this.now();
    for (const [key, session] of this.sessions) if (session.until <= now) this.sessions.delete(key);
    const key = createHash('sha256').update(token).digest('hex');
    let session = this.sessions.get(key);
    if (!session) {
      session = { id: randomBytes(16).toString('base64url'), until: until ?? now + FALLBACK_LIFETIME_MS };
      this.sessions.set(key, session);
    }
    return session.id;
  }
}
