// URL policy, with kube-gateway's semantics: a pattern matches a request path
// exactly, or, when it ends in `*`, as a raw string prefix — so `/a/b*` matches
// `/a/bc` as well as `/a/b/c`. That is upstream behaviour and tokens in the wild
// rely on it; write `/a/b/*` to stay inside a segment boundary.
//
// Matching happens on the raw path, while the API server decodes and cleans
// it. Any path the API server could read differently from how it was matched
// is therefore refused outright (never rewritten): dot segments, empty
// segments, backslashes, encoded separators and dots, control bytes.
//
// Ceiling patterns (the gateway's --allowed-url) also understand `+` as a
// whole segment meaning exactly one non-empty segment, e.g.
// `/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc`.

export type PatternKind = 'url' | 'ceiling';

export type PathDecision =
  | { allowed: true; pattern: string }
  | { allowed: false; reason: string };

// RFC 3986 path characters: unreserved, sub-delims, ":", "@", "/" and "%" (checked apart).
const PATH_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/** Splits an HTTP request target into its path and its query (without the `?`). */
export function splitRequestTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/**
 * Why the API server might read `path` differently from a plain string match,
 * or undefined when the path is unambiguous. The path must not carry a query.
 */
export function checkPath(path: string): string | undefined {
  if (typeof path !== 'string') return 'is not a string';
  if (!path.startsWith('/')) return 'does not start with "/"';
  for (let i = 0; i < path.length; i++) {
    const ch = path.charAt(i);
    const code = path.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return `contains a control character (U+${code.toString(16).padStart(4, '0').toUpperCase()})`;
    if (ch === '\\') return 'contains a backslash';
    if (ch === '#') return 'contains "#"';
    if (ch === '?') return 'contains "?" (pass the path without its query)';
    if (!PATH_CHAR.test(ch)) return `contains ${JSON.stringify(ch)}, which is not allowed unencoded in a URL path`;
    if (ch === '%') {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX2.test(hex)) return `contains invalid percent-encoding at "${path.slice(i, i + 3)}"`;
      const problem = encodedByteProblem(parseInt(hex, 16));
      if (problem) return `contains "%${hex}" (${problem})`;
      i += 2;
    }
  }
  const segments = path.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '.' || segment === '..') return `contains a dot segment ("${segment}")`;
    // A single trailing slash is an ordinary path; "//" anywhere is not.
    if (segment === '' && i < segments.length - 1) return 'contains an empty segment ("//")';
  }
  return undefined;
}

function encodedByteProblem(byte: number): string | undefined {
  if (byte === 0x2f) return 'an encoded "/"';
  if (byte === 0x5c) return 'an encoded backslash';
  if (byte === 0x2e) return 'an encoded "."';
  if (byte === 0x25) return 'an encoded "%", i.e. double encoding';
  if (byte < 0x20 || byte === 0x7f) return 'an encoded control byte';
  return undefined;
}

/** Why `pattern` is not a valid pattern of the given kind, or undefined when it is. */
export function checkPattern(pattern: string, kind: PatternKind = 'url'): string | undefined {
  if (typeof pattern !== 'string') return 'is not a string';
  if (pattern === '') return 'is empty';
  if (!pattern.startsWith('/')) return 'does not start with "/"';
  const star = pattern.endsWith('*');
  const body = star ? pattern.slice(0, -1) : pattern;
  if (body.includes('*')) return 'has a "*" before its end (only a trailing "*" is a wildcard)';
  let sample = body;
  if (kind === 'ceiling') {
    const segments = body.split('/');
    const last = segments.length - 1;
    const misplaced = segments.findIndex((s, i) => s.includes('+') && (s !== '+' || (star && i === last)));
    if (misplaced !== -1) return 'has a "+" that is not a whole segment';
    sample = segments.map((s) => (s === '+' ? 'x' : s)).join('/');
  }
  // A star pattern's body is a prefix that may end mid-segment ("/a/b" of
  // "/a/b*"); completing it with one ordinary character lets checkPath judge it.
  return checkPath(star ? `${sample}x` : sample);
}

/** Whether a token URL pattern (exact, or raw prefix with a trailing `*`) allows `path`. */
export function matchUrlPattern(pattern: string, path: string): boolean {
  if (checkPattern(pattern, 'url') !== undefined || checkPath(path) !== undefined) return false;
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/** Whether a ceiling pattern (with `+` segments and an optional trailing `*`) allows `path`. */
export function matchCeilingPattern(pattern: string, path: string): boolean {
  if (checkPattern(pattern, 'ceiling') !== undefined || checkPath(path) !== undefined) return false;
  const star = pattern.endsWith('*');
  const wanted = (star ? pattern.slice(0, -1) : pattern).split('/');
  const actual = path.split('/');
  if (star ? actual.length < wanted.length : actual.length !== wanted.length) return false;
  return wanted.every((w, i) => {
    const a = actual[i] ?? '';
    if (star && i === wanted.length - 1) return a.startsWith(w);
    return w === '+' ? a !== '' : a === w;
  });
}

export function matchPattern(pattern: string, path: string, kind: PatternKind = 'url'): boolean {
  return kind === 'ceiling' ? matchCeilingPattern(pattern, path) : matchUrlPattern(pattern, path);
}

/**
 * The policy decision for a request path (without its query): refused when
 * the path is ambiguous, allowed by the first pattern that matches, else refused.
 */
export function authorizePath(patterns: readonly string[], path: string, kind: PatternKind = 'url'): PathDecision {
  const problem = checkPath(path);
  if (problem !== undefined) return { allowed: false, reason: `path ${JSON.stringify(path)} is refused: it ${problem}` };
  const pattern = patterns.find((p) => matchPattern(p, path, kind));
  if (pattern !== undefined) return { allowed: true, pattern };
  const what = kind === 'ceiling' ? 'allowed URL' : 'URL pattern';
  return {
    allowed: false,
    reason: `path ${JSON.stringify(path)} matches none of the ${patterns.length} ${what}${patterns.length === 1 ? '' : 's'}`,
  };
}
