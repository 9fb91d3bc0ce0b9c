import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  authorizePath,
  checkPath,
  checkPattern,
  matchCeilingPattern,
  matchPattern,
  matchUrlPattern,
  splitRequestTarget,
} from './url-policy.ts';

const VNC = '/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/vnc';
const VNC_CEILING = '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc';

describe('splitRequestTarget', () => {
  it('splits at the first "?"', () => {
    expect(splitRequestTarget('/a/b?x=1?y')).toEqual({ path: '/a/b', query: 'x=1?y' });
    expect(splitRequestTarget('/a/b')).toEqual({ path: '/a/b', query: '' });
    expect(splitRequestTarget('/a?')).toEqual({ path: '/a', query: '' });
  });
});

describe('checkPath', () => {
  it.each(['/', VNC, '/api/v1/namespaces/ns/pods/', '/a/b.c/..d/.e', "/a/~_-!$&'()*+,;=:@", '/a/%41%7e', '/a/%c3%a9'])(
    'accepts %j',
    (path) => {
      expect(checkPath(path)).toBeUndefined();
    },
  );

  it.each([
    ['', 'does not start with "/"'],
    ['a/b', 'does not start with "/"'],
    ['/a/./b', 'contains a dot segment (".")'],
    ['/a/../b', 'contains a dot segment ("..")'],
    ['/a/..', 'contains a dot segment ("..")'],
    ['/.', 'contains a dot segment (".")'],
    ['//a', 'contains an empty segment ("//")'],
    ['/a//b', 'contains an empty segment ("//")'],
    ['/a\\b', 'contains a backslash'],
    ['/a%2fb', 'contains "%2f" (an encoded "/")'],
    ['/a%2Fb', 'contains "%2F" (an encoded "/")'],
    ['/a%5cb', 'contains "%5c" (an encoded backslash)'],
    ['/a/%2e%2E', 'contains "%2e" (an encoded ".")'],
    ['/a/%2E', 'contains "%2E" (an encoded ".")'],
    ['/a%00', 'contains "%00" (an encoded control byte)'],
    ['/a%1F', 'contains "%1F" (an encoded control byte)'],
    ['/a%7f', 'contains "%7f" (an encoded control byte)'],
    ['/a%252f', 'contains "%25" (an encoded "%", i.e. double encoding)'],
    ['/a%2', 'contains invalid percent-encoding at "%2"'],
    ['/a%zz', 'contains invalid percent-encoding at "%zz"'],
    ['/a%', 'contains invalid percent-encoding at "%"'],
    ['/a\u0000', 'contains a control character (U+0000)'],
    ['/a\n', 'contains a control character (U+000A)'],
    ['/a\u007f', 'contains a control character (U+007F)'],
    ['/a#b', 'contains "#"'],
    ['/a?b', 'contains "?" (pass the path without its query)'],
    ['/a b', 'contains " ", which is not allowed unencoded in a URL path'],
    ['/é', 'contains "é", which is not allowed unencoded in a URL path'],
  ])('refuses %j: %s', (path, reason) => {
    expect(checkPath(path)).toBe(reason);
  });
});

describe('checkPattern', () => {
  it.each(['/api/*', '/*', VNC, '/a/b*', '/a/.b*'])('accepts url pattern %j', (p) => {
    expect(checkPattern(p)).toBeUndefined();
  });

  it.each([
    ['', 'url', 'is empty'],
    ['api/*', 'url', 'does not start with "/"'],
    ['*', 'url', 'does not start with "/"'],
    ['/a*/b', 'url', 'has a "*" before its end (only a trailing "*" is a wildcard)'],
    ['/a/**', 'url', 'has a "*" before its end (only a trailing "*" is a wildcard)'],
    ['/a/../*', 'url', 'contains a dot segment ("..")'],
    ['/a//*', 'url', 'contains an empty segment ("//")'],
    ['/a%2f*', 'url', 'contains "%2f" (an encoded "/")'],
    ['/a/+x/b', 'ceiling', 'has a "+" that is not a whole segment'],
    ['/a/+*', 'ceiling', 'has a "+" that is not a whole segment'],
    ['/a/+/../b', 'ceiling', 'contains a dot segment ("..")'],
  ] as const)('refuses %j as a %s pattern: %s', (p, kind, reason) => {
    expect(checkPattern(p, kind)).toBe(reason);
  });

  it('reads "+" literally in a url pattern and as a segment in a ceiling', () => {
    expect(checkPattern('/a/+x/b', 'url')).toBeUndefined();
    expect(checkPattern(VNC_CEILING, 'ceiling')).toBeUndefined();
    expect(checkPattern('/a/+/*', 'ceiling')).toBeUndefined();
  });
});

describe('matchUrlPattern', () => {
  it('matches exactly without a star', () => {
    expect(matchUrlPattern(VNC, VNC)).toBe(true);
    expect(matchUrlPattern(VNC, `${VNC}/screenshot`)).toBe(false);
    expect(matchUrlPattern(VNC, `${VNC}/`)).toBe(false);
    expect(matchUrlPattern(VNC, VNC.toUpperCase())).toBe(false);
  });

  it('treats a trailing star as a raw prefix, as kube-gateway does', () => {
    expect(matchUrlPattern('/a/b*', '/a/bc')).toBe(true);
    expect(matchUrlPattern('/a/b*', '/a/b/c')).toBe(true);
    expect(matchUrlPattern('/a/b*', '/a/b')).toBe(true);
    expect(matchUrlPattern('/a/b/*', '/a/bc')).toBe(false);
    expect(matchUrlPattern('/*', '/anything/at/all')).toBe(true);
  });

  it('never matches an ambiguous path, even under a star', () => {
    expect(matchUrlPattern('/api/*', '/api/../secret')).toBe(false);
    expect(matchUrlPattern('/api/*', '/api/v1/%2e%2e/x')).toBe(false);
    expect(matchUrlPattern('/api/*', '/api//x')).toBe(false);
    expect(matchUrlPattern('/api/v1/namespaces/ns/pods/x*', '/api/v1/namespaces/ns/pods/x%2f..%2fy')).toBe(false);
  });

  it('never matches with an invalid pattern (kube-gateway crashed on an empty one)', () => {
    expect(matchUrlPattern('', '/')).toBe(false);
    expect(matchUrlPattern('*', '/a')).toBe(false);
    expect(matchUrlPattern('/a*/b', '/a*/b')).toBe(false);
  });
});

describe('matchCeilingPattern', () => {
  it('matches one non-empty segment per "+"', () => {
    expect(matchCeilingPattern(VNC_CEILING, VNC)).toBe(true);
    expect(matchCeilingPattern(VNC_CEILING, VNC.replace('/ns/', '/other/'))).toBe(true);
    expect(matchCeilingPattern(VNC_CEILING, VNC.replace('/ns/', '/a/b/'))).toBe(false);
    expect(matchCeilingPattern(VNC_CEILING, `${VNC}/screenshot`)).toBe(false);
    expect(matchCeilingPattern('/a/+', '/a/')).toBe(false);
    expect(matchCeilingPattern('/a/+', '/a')).toBe(false);
  });

  it('combines "+" with a trailing raw-prefix star', () => {
    expect(matchCeilingPattern('/a/+/b*', '/a/x/bc/d')).toBe(true);
    expect(matchCeilingPattern('/a/+/b*', '/a/x/c')).toBe(false);
    expect(matchCeilingPattern('/a/+/*', '/a/x')).toBe(false);
    expect(matchCeilingPattern('/a/+/*', '/a/x/')).toBe(true);
    expect(matchCeilingPattern('/a/+/*', '/a/x/y/z')).toBe(true);
  });

  it('refuses ambiguous paths and bad patterns', () => {
    expect(matchCeilingPattern('/a/+/b', '/a/../b')).toBe(false);
    expect(matchCeilingPattern('/a/+/b', '/a/%2e/b')).toBe(false);
    expect(matchCeilingPattern('/a/+x/b', '/a/+x/b')).toBe(false);
  });

  it('is what matchPattern runs for the ceiling kind', () => {
    expect(matchPattern(VNC_CEILING, VNC, 'ceiling')).toBe(true);
    expect(matchPattern(VNC_CEILING, VNC)).toBe(false);
    expect(matchPattern('/a/+', '/a/+')).toBe(true);
  });
});

describe('authorizePath', () => {
  it('allows with the first matching pattern', () => {
    expect(authorizePath(['/x', '/api/*', '/apis/*', VNC], VNC)).toEqual({ allowed: true, pattern: '/apis/*' });
    expect(authorizePath([VNC_CEILING], VNC, 'ceiling')).toEqual({ allowed: true, pattern: VNC_CEILING });
  });

  it('explains refusals', () => {
    expect(authorizePath(['/api/*'], '/api/../x')).toEqual({
      allowed: false,
      reason: 'path "/api/../x" is refused: it contains a dot segment ("..")',
    });
    expect(authorizePath(['/a', '/b'], '/c')).toEqual({ allowed: false, reason: 'path "/c" matches none of the 2 URL patterns' });
    expect(authorizePath([VNC_CEILING], '/c', 'ceiling')).toEqual({
      allowed: false,
      reason: 'path "/c" matches none of the 1 allowed URL',
    });
    expect(authorizePath([], '/c')).toEqual({ allowed: false, reason: 'path "/c" matches none of the 0 URL patterns' });
  });

  it('quotes control characters safely for logs', () => {
    const decision = authorizePath(['/*'], '/a\nb');
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reason).toContain('"/a\\nb"');
  });
});

// How the API server reads a path: each segment percent-decoded to bytes (shown as Latin-1).
function serverSegments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));
}

function assertUnambiguous(path: string): void {
  const segments = serverSegments(path);
  segments.forEach((s, i) => {
    const separatorOrControl = [...s].filter((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    expect(separatorOrControl).toEqual([]);
    expect(s === '.' || s === '..').toBe(false);
    if (i < segments.length - 1) expect(s).not.toBe('');
  });
  expect(path).not.toMatch(/[#?]/);
}

// Fragments chosen to hit every rule: separators, dots, encodings, controls.
// Ordinary pieces weigh more, so that a good share of cases match at all.
const piece = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'b', 'ns', 'vm', '/', '.', '-', '%41', '+'), weight: 4 },
  { arbitrary: fc.constantFrom('..', '//', '%2f', '%2F', '%5c', '%2e', '%2E', '%25', '%0a', '%aa', '%', '%z', '\\', '#', '?', '\u0000', '*', '~', ' '), weight: 1 },
);
const fragment = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
const rawPath = fragment.map((f) => `/${f}`);

describe('properties', () => {
  it('an accepted path for a url pattern is the pattern itself or extends its prefix, and is unambiguous', () => {
    const pattern = fc.tuple(rawPath, fc.boolean()).map(([p, star]) => (star ? `${p}*` : p));
    const case_ = pattern.chain((p) =>
      fc.tuple(fc.constant(p), fc.oneof(rawPath, fragment.map((f) => (p.endsWith('*') ? p.slice(0, -1) : p) + f))),
    );
    let matched = 0;
    fc.assert(
      fc.property(case_, ([p, path]) => {
        if (!matchUrlPattern(p, path)) return;
        matched++;
        assertUnambiguous(path);
        expect(checkPattern(p)).toBeUndefined();
        if (p.endsWith('*')) expect(path.startsWith(p.slice(0, -1))).toBe(true);
        else expect(path).toBe(p);
        expect(authorizePath([p], path)).toEqual({ allowed: true, pattern: p });
      }),
      { numRuns: 3000 },
    );
    expect(matched).toBeGreaterThan(100);
  });

  it('an accepted path for a ceiling keeps its segment count and every fixed segment', () => {
    const segment = fc.oneof(fc.constant('+'), fragment.filter((f) => !f.includes('*')));
    const ceiling = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean());
    const filler = fc.oneof(fragment, fc.constantFrom('x', 'vm-1', 'a.b'));
    const case_ = ceiling.chain(([segments, star]) =>
      fc.tuple(
        fc.constant(`/${segments.join('/')}${star ? '*' : ''}`),
        fc.array(filler, { minLength: segments.length, maxLength: segments.length }).chain((fills) =>
          fc.tuple(
            fc.constant(segments.map((s, i) => (s === '+' ? fills[i] : s)).join('/')),
            star ? fragment : fc.constant(''),
          ).map(([body, tail]) => `/${body}${tail}`),
        ),
      ),
    );
    let matched = 0;
    fc.assert(
      fc.property(case_, ([p, path]) => {
        if (!matchCeilingPattern(p, path)) return;
        matched++;
        assertUnambiguous(path);
        const star = p.endsWith('*');
        const wanted = (star ? p.slice(0, -1) : p).split('/');
        const actual = path.split('/');
        if (star) expect(actual.length).toBeGreaterThanOrEqual(wanted.length);
        else expect(actual.length).toBe(wanted.length);
        wanted.forEach((w, i) => {
          const a = actual[i] ?? '';
          if (star && i === wanted.length - 1) expect(a.startsWith(w)).toBe(true);
          else if (w === '+') expect(a).not.toBe('');
          else expect(a).toBe(w);
        });
      }),
      { numRuns: 3000 },
    );
    expect(matched).toBeGreaterThan(100);
  });

  it('every path checkPath accepts reads the same way on the API server', () => {
    fc.assert(
      fc.property(rawPath, (path) => {
        if (checkPath(path) === undefined) assertUnambiguous(path);
      }),
      { numRuns: 3000 },
    );
  });
});
