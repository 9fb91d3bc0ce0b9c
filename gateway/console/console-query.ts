import { PRESENCE_QUERY_KEY } from '../../shared/console-presence.ts';

/** The query parameters a console request may carry: `preserveSession` goes on to KubeVirt, `presence` is the gateway's own. */
const allowedKeys = new Set(['preserveSession', PRESENCE_QUERY_KEY]);
const booleanKeys = [...allowedKeys];

/**
 * The query a console request is forwarded with, rebuilt from decoded,
 * allow-listed keys and encoded by the gateway. KubeVirt reads parameters
 * percent-decoded and takes the first value, so passing the client's own
 * query on (or removing only the literal key) would let `preserve%53ession=false`
 * switch off what the gateway enforces. Duplicates and unknown keys are refused.
 */
export function consoleQuery(query: string, options: { preserveSession: boolean }): { query: string; presence: boolean } | { problem: string } {
  const seen = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (!allowedKeys.has(key)) return { problem: `a console accepts no query parameter ${JSON.stringify(key.slice(0, 40))}` };
    if (seen.has(key)) return { problem: `the query parameter ${key} is given more than once` };
    seen.set(key, value);
  }
  for (const key of booleanKeys) {
    const value = seen.get(key);
    if (value !== undefined && value !== 'true' && value !== 'false') return { problem: `${key} must be true or false` };
  }
  return { query: options.preserveSession || seen.get('preserveSession') === 'true' ? 'preserveSession=true' : '', presence: seen.get(PRESENCE_QUERY_KEY) === 'true' };
}
