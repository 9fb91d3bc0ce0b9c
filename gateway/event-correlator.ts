// When to write which audit Event, decided the way Kubernetes' own
// EventCorrelator (client-go tools/record) decides it, so a flood of refusals
// costs the API server a few writes and leaves one counted Event:
//   - identical events (one console, one reason, one link, one client) inside a
//     window are one Event: the first is created, the rest raise its `count`
//     and `lastTimestamp`, PATCHed at most once per flush interval;
//   - past a number of different refusals of one console inside the window,
//     the next ones are combined into one "(combined from similar events)" Event;
//   - a token bucket per console (and one for the whole gateway) bounds the
//     writes; what finds it empty is dropped from the Events (never from the
//     JSON audit log), and a counted Event waits for its next token.
// Pure: the caller passes the time and carries out the writes it is given.
import { Lru } from './lru.ts';
import { combinedDraft, type EventDraft } from './console-audit-event.ts';

export interface CorrelatorOptions {
  /** Identical events this close together are one Event (client-go: 10 minutes). */
  windowMs: number;
  /** A counted Event's new count is written at most this often. */
  flushMs: number;
  /** Writes one console may make at once, and how often it earns another. */
  burst: number;
  refillMs: number;
  /** The same for the whole gateway, across consoles. */
  globalBurst: number;
  globalRefillMs: number;
  /** Different refusals of one console in a window before they are combined (client-go: 10). */
  maxSimilar: number;
  /** Events and consoles remembered; the least recently seen are forgotten. */
  capacity: number;
}

export const defaultCorrelatorOptions: CorrelatorOptions = {
  windowMs: 10 * 60_000,
  flushMs: 2_000,
  burst: 25,
  refillMs: 10_000,
  globalBurst: 200,
  globalRefillMs: 100,
  maxSimilar: 10,
  capacity: 4096,
};

export interface Observation {
  /** The console's VMI: `namespace/name`. */
  objectKey: string;
  /** What makes two events the same Event besides object and reason. */
  identity: string;
  /** Refusals may be combined with different ones; opens and closes never are. */
  combinable: boolean;
  draft: EventDraft;
}

export type Write =
  | { op: 'create'; key: string; seq: number; draft: EventDraft; count: number; firstMs: number; lastMs: number }
  | { op: 'patch'; key: string; seq: number; draft: EventDraft; name: string; count: number; lastMs: number };

export type Observed = { outcome: 'write'; write: Write } | { outcome: 'counted' } | { outcome: 'dropped' };

/** How a write ended: `ok` with the Event's name, `gone` (the Event was deleted: write it anew) or `failed`. */
export type Settled = { result: 'ok'; name: string } | { result: 'gone' } | { result: 'failed' };

interface Series {
  seq: number;
  objectKey: string;
  draft: EventDraft;
  name?: string;
  count: number;
  writtenCount: number;
  firstMs: number;
  lastMs: number;
  lastWriteMs: number;
  busy: boolean;
}

/** `burst` tokens, one more every `refillMs`: the rate limit of client-go's spam filter. */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(private readonly burst: number, private readonly refillMs: number, now: number) {
    this.tokens = burst;
    this.updatedMs = now;
  }

  has(now: number): boolean {
    const earned = Math.floor((now - this.updatedMs) / this.refillMs);
    if (earned > 0) {
      this.tokens = Math.min(this.burst, this.tokens + earned);
      this.updatedMs = this.tokens === this.burst ? now : this.updatedMs + earned * this.refillMs;
    }
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
  }

  /** Takes a token if there is one. */
  tryTake(now: number): boolean {
    if (!this.has(now)) return false;
    this.take();
    return true;
  }
}

const combinedIdentity = '(combined)';

export class EventCorrelator {
  private readonly options: CorrelatorOptions;
  private readonly series: Lru<string, Series>;
  private readonly buckets: Lru<string, TokenBucket>;
  /** Per console and reason: the identities of different refusals seen in the window, with when. */
  private readonly similar: Lru<string, Map<string, number>>;
  private readonly pending = new Set<string>();
  private global: TokenBucket | undefined;
  private nextSeq = 0;

  constructor(options: Partial<CorrelatorOptions> = {}) {
    this.options = { ...defaultCorrelatorOptions, ...options };
    this.series = new Lru(this.options.capacity);
    this.buckets = new Lru(this.options.capacity);
    this.similar = new Lru(this.options.capacity);
  }

  observe(observation: Observation, now: number): Observed {
    const { identity, draft } = this.combineIfTooMany(observation, now);
    const key = `${observation.objectKey}\n${observation.draft.reason}\n${identity}`;
    const known = this.series.get(key);
    if (known && now - known.lastMs <= this.options.windowMs) {
      known.count += 1;
      known.lastMs = now;
      this.pending.add(key);
      return { outcome: 'counted' };
    }
    if (!this.takeToken(observation.objectKey, now)) return { outcome: 'dropped' };
    const series: Series = { seq: ++this.nextSeq, objectKey: observation.objectKey, draft, count: 1, writtenCount: 0, firstMs: now, lastMs: now, lastWriteMs: now, busy: true };
    this.series.set(key, series);
    this.pending.delete(key);
    return { outcome: 'write', write: { op: 'create', key, seq: series.seq, draft, count: 1, firstMs: now, lastMs: now } };
  }

  /** Counted Events whose new count may be written now. `force` skips the flush interval (shutdown), never the buckets. */
  due(now: number, force = false): Write[] {
    const writes: Write[] = [];
    for (const key of this.pending) {
      const series = this.series.get(key);
      if (!series || series.count <= series.writtenCount) {
        this.pending.delete(key);
        continue;
      }
      if (series.busy || (!force && now - series.lastWriteMs < this.options.flushMs)) continue;
      if (!this.takeToken(series.objectKey, now)) continue;
      series.busy = true;
      this.pending.delete(key);
      const common = { key, seq: series.seq, draft: series.draft, count: series.count, lastMs: series.lastMs };
      writes.push(series.name === undefined ? { op: 'create', ...common, firstMs: series.firstMs } : { op: 'patch', ...common, name: series.name });
    }
    return writes;
  }

  /** Whether some Event has a count not written yet. */
  hasPending(): boolean {
    return this.pending.size > 0;
  }

  settled(write: Write, outcome: Settled, now: number): void {
    const series = this.series.get(write.key);
    if (!series || series.seq !== write.seq) return;
    series.busy = false;
    series.lastWriteMs = now;
    if (outcome.result === 'failed') {
      // Forgotten, so the next identical event tries a fresh Event rather than counting on one that is not there.
      this.series.delete(write.key);
      this.pending.delete(write.key);
      return;
    }
    if (outcome.result === 'ok') {
      series.name = outcome.name;
      series.writtenCount = write.count;
    } else {
      delete series.name;
      series.writtenCount = 0;
    }
    if (series.count > series.writtenCount) this.pending.add(write.key);
  }

  private combineIfTooMany(observation: Observation, now: number): { identity: string; draft: EventDraft } {
    if (!observation.combinable) return observation;
    const groupKey = `${observation.objectKey}\n${observation.draft.reason}`;
    let group = this.similar.get(groupKey);
    if (!group) this.similar.set(groupKey, (group = new Map()));
    for (const [identity, seen] of group) if (now - seen > this.options.windowMs) group.delete(identity);
    if (!group.has(observation.identity) && group.size >= this.options.maxSimilar) {
      return { identity: combinedIdentity, draft: combinedDraft(observation.draft) };
    }
    group.set(observation.identity, now);
    return observation;
  }

  private takeToken(objectKey: string, now: number): boolean {
    this.global ??= new TokenBucket(this.options.globalBurst, this.options.globalRefillMs, now);
    let bucket = this.buckets.get(objectKey);
    if (!bucket) this.buckets.set(objectKey, (bucket = new TokenBucket(this.options.burst, this.options.refillMs, now)));
    if (!bucket.has(now) || !this.global.has(now)) return false;
    bucket.take();
    this.global.take();
    return true;
  }
}
