/**
 * A map that holds at most `capacity` entries and forgets the one used least
 * recently when it would hold more: the gateway's caches sit on every request,
 * and what a client sends must never make them grow without bound.
 */
export class Lru<K, V> {
  readonly #entries = new Map<K, V>();
  /** The most recently used key: reading it again needs no reordering (the common case on a hot path). */
  #newest: K | undefined;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value, now counted as the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined || key === this.#newest) return value;
    // A Map iterates in insertion order: moving the entry to the end keeps the oldest first.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.#newest = key;
    return value;
  }

  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.#newest = key;
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }
}
