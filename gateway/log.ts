import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

// Tokens and keys must never reach a log. Request records are built field by
// field (never whole header objects), and fields with these names are censored
// anyway, down to `req.headers.*`, in case a future call site passes something
// it should not. This walk replaces pino's `redact` paths, which cost three
// times the rest of a request's log line.
const secretFields = new Set(['token', 'authorization', 'cookie', 'key', 'privateKey']);
const censored = '[redacted]';

/** `record` with every secret-named field down to `depth` levels censored; `record` itself when it has none. */
export function censorSecrets(record: Record<string, unknown>, depth = 2): Record<string, unknown> {
  let out = record;
  for (const name in record) {
    const value = record[name];
    let safe = value;
    if (secretFields.has(name)) safe = censored;
    else if (depth > 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) safe = censorSecrets(value as Record<string, unknown>, depth - 1);
    if (safe === value) continue;
    if (out === record) out = { ...record };
    out[name] = safe;
  }
  return out;
}

let stampedSecond = Number.NaN;
let secondPrefix = '';
const millis = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));

/** pino's `isoTime`, with the date formatted once a second rather than once a line. */
export function isoTime(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== stampedSecond) {
    stampedSecond = second;
    secondPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  return `,"time":"${secondPrefix}${millis[now - second * 1000]}Z"`;
}

/**
 * Standard output, written asynchronously (sonic-boom) so a slow log reader
 * never stalls the event loop, and in batches as large as sonic-boom allows
 * (under its 16 KiB maximum write): handing a write to the thread pool wakes
 * a thread, and under load that cost more than the write. A line waits at
 * most `periodicFlush` milliseconds; pino flushes what is left when the
 * process exits.
 */
function stdoutDestination() {
  return pino.destination({ fd: 1, sync: false, minLength: 12 * 1024, periodicFlush: 500 });
}

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  const logger = pino(
    { level, base: { service: 'gatepass-gateway' }, formatters: { log: censorSecrets }, timestamp: () => isoTime() },
    destination ?? stdoutDestination(),
  );
  // pino gives child bindings no formatter, so they are censored on the way in; children inherit this.
  const pinoChild = logger.child;
  logger.child = function child(this: Logger, bindings, options) {
    return pinoChild.call(this, censorSecrets(bindings), options);
  } as Logger['child'];
  return logger;
}
