import { randomUUID } from 'node:crypto';
import { presenceText, type ConsoleViewerInfo, type PresenceChange } from '../../shared/console-presence.ts';

/** How a viewer is named to the others: the link's label, else its issuer's `sub`, else "someone". */
export function presenceName(link: { label?: string | undefined; sub?: string | undefined }): string {
  return link.label?.trim() || link.sub?.trim() || 'someone';
}

/** A viewer's entry, with an id of its own: never derived from its token, so the others learn nothing of the link. */
export function viewerInfo(name: string, control: boolean, now: Date = new Date()): ConsoleViewerInfo {
  return { id: randomUUID(), name, control, since: now.toISOString() };
}

interface Member {
  info: ConsoleViewerInfo;
  /** Absent for a viewer that did not ask (`presence=true`): it is listed, never told. */
  tell: ((text: string) => void) | undefined;
}

/**
 * Who is on one shared console. A viewer that asked is told the whole list
 * when it joins and again, with what changed, at each join and leave.
 */
export class PresenceRoster {
  private readonly members = new Map<string, Member>();

  get size(): number {
    return this.members.size;
  }

  join(info: ConsoleViewerInfo, tell: ((text: string) => void) | undefined): void {
    this.members.set(info.id, { info, tell });
    const viewers = this.list();
    tell?.(presenceText({ gatepass: 'presence', you: info.id, viewers }));
    this.tellOthers(info.id, viewers, { kind: 'joined', viewer: info });
  }

  leave(id: string): void {
    const member = this.members.get(id);
    if (!member) return;
    this.members.delete(id);
    this.tellOthers(id, this.list(), { kind: 'left', viewer: member.info });
  }

  list(): ConsoleViewerInfo[] {
    return [...this.members.values()].map((member) => member.info);
  }

  private tellOthers(changed: string, viewers: ConsoleViewerInfo[], change: PresenceChange): void {
    for (const { info, tell } of this.members.values()) {
      if (info.id !== changed) tell?.(presenceText({ gatepass: 'presence', you: info.id, viewers, change }));
    }
  }
}
