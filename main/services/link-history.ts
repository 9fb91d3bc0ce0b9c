// What the operator issued, in the store. The link itself (it carries the
// token) is kept only sealed with the platform's safeStorage; where that is
// not available it is not kept at all and cannot be copied again. Nothing in
// the store ever holds a token in plain text.
import type { IssuedLink } from '../../shared/desktop-api.ts';
import { DesktopFailure } from './errors.ts';
import type { KeyValueStore, Platform } from './store.ts';

const STORE_KEY = 'issuedLinks';
/** The history keeps this many links, newest first. */
export const HISTORY_LIMIT = 500;

interface StoredLink extends Omit<IssuedLink, 'canCopyAgain'> {
  /** base64 of safeStorage.encryptString(link). */
  sealed?: string;
}

export class LinkHistory {
  constructor(
    private readonly store: KeyValueStore,
    private readonly safeStorage: Platform['safeStorage'],
  ) {}

  private read(): StoredLink[] {
    const value = this.store.get(STORE_KEY);
    return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null && typeof (v as StoredLink).id === 'string') as StoredLink[]) : [];
  }

  private write(links: StoredLink[]): void {
    this.store.set(STORE_KEY, links.slice(0, HISTORY_LIMIT));
  }

  private view(stored: StoredLink): IssuedLink {
    const { sealed, ...rest } = stored;
    // Records kept before serial links opened the screen, the only console there was.
    const consoles = Array.isArray(rest.consoles) && rest.consoles.length > 0 ? rest.consoles : ['vnc' as const];
    return { ...rest, consoles, canCopyAgain: sealed !== undefined && this.safeStorage.isEncryptionAvailable() };
  }

  /** Remembers an issued link; `issued.canCopyAgain` says whether the link could be sealed. */
  record(issued: Omit<IssuedLink, 'canCopyAgain'>, link: string): IssuedLink {
    const stored: StoredLink = { ...issued };
    if (this.safeStorage.isEncryptionAvailable()) {
      try {
        stored.sealed = this.safeStorage.encryptString(link).toString('base64');
      } catch {
        // Sealing failed (a locked keyring, say): keep the record without the link.
      }
    }
    this.write([stored, ...this.read().filter((l) => l.id !== issued.id)]);
    return this.view(stored);
  }

  list(): IssuedLink[] {
    return this.read().map((l) => this.view(l));
  }

  get(id: string): IssuedLink {
    const found = this.read().find((l) => l.id === id);
    if (!found) throw new DesktopFailure('not-found', `no issued link with id ${JSON.stringify(id)} in the history`);
    return this.view(found);
  }

  /** The link itself, unsealed; only for copying it again. */
  unseal(id: string): string {
    const found = this.read().find((l) => l.id === id);
    if (!found) throw new DesktopFailure('not-found', `no issued link with id ${JSON.stringify(id)} in the history`);
    if (found.sealed === undefined || !this.safeStorage.isEncryptionAvailable()) {
      throw new DesktopFailure('unsupported', 'this link was not kept (secure storage was not available when it was issued), so it cannot be copied again; issue a new one');
    }
    try {
      return this.safeStorage.decryptString(Buffer.from(found.sealed, 'base64'));
    } catch (error) {
      throw new DesktopFailure('unsupported', `the kept link cannot be decrypted any more (${(error as Error).message}); issue a new one`);
    }
  }

  markRevoked(id: string): IssuedLink {
    const links = this.read();
    const found = links.find((l) => l.id === id);
    if (!found) throw new DesktopFailure('not-found', `no issued link with id ${JSON.stringify(id)} in the history`);
    found.revoked = true;
    // A revoked link is never copied again, so its sealed copy goes too.
    delete found.sealed;
    this.write(links);
    return this.view(found);
  }
}
