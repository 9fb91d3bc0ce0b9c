/** The query parameters a console request may carry on to KubeVirt. */
const allowedKeys = new Set(['preserveSession']);

/**
 * The query a console request is forwarded with, rebuilt from decoded,
 * allow-listed keys and encoded by the gateway. KubeVirt reads parameters
 * percent-decoded and takes the first value, so passing the client's own
 * query on (or removing only the literal key) would let `preserve%53ession=false`
 * switch off what the gateway enforces. Duplicates and unknown keys are refused.
 */
export function consoleQuery(query: string, options: { preserveSession: boolean }): { query: string } | { problem: string } {
  const seen = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (!allowedKeys.has(key)) return { problem: `a console accepts no query parameter ${JSON.stringify(key.slice(0, 40))}` };
    if (seen.has(key)) return { problem: `the query parameter ${key} is given more than once` };
    seen.set(key, value);
  }
  const preserve = seen.get('preserveSession');
  if (preserve !== undefined && preserve !== 'true' && preserve !== 'false') return { problem: 'preserveSession must be true or false' };
  return { query: options.preserveSession || preserve === 'true' ? 'preserveSession=true' : '' };
}
