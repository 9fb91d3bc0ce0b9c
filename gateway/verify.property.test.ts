// Property-based fuzzing of the whole decision, not only the URL policy: for
// random request paths, methods and ceilings, nothing the verifier allows lies
// outside what the token and the ceiling grant.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { rsaThumbprint } from '../shared/node/keys.ts';
import { checkPath } from '../shared/url-policy.ts';
import { createVerifier } from './verify.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = [{ kid: rsaThumbprint(pair.publicKey), key: pair.publicKey, source: 'test' }];
const now = Math.floor(Date.now() / 1000);
const base = '/apis/subresources.kubevirt.io/v1/namespaces';

const sign = (urls: string[], verbs: string[]) =>
  new SignJWT({ URLs: urls, verbs, nbf: now - 60, exp: now + 600, id: 'fuzz' }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(pair.privateKey);

// Segments an attacker would reach for: traversal, encodings, separators, near misses of real names.
const segment = fc.oneof(
  fc.constantFrom('team-a', 'team-b', 'virtualmachineinstances', 'web-1', 'web-10', 'vnc', 'screenshot', '..', '.', '', '%2e%2e', '%2F', '%2f', 'a%5cb', '\\', 'web-1%00', 'VNC', '*', '+', '%25', 'x?y', 'x#y'),
  fc.stringMatching(/^[a-z0-9.%-]{1,8}$/),
);
const path = fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => `${base}/${parts.join('/')}`);
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get', 'TRACE', 'CONNECT');

describe('the gateway decision under fuzzing', () => {
  it('allows only the exact console path, with get, for an exact pattern', async () => {
    const exact = `${base}/team-a/virtualmachineinstances/web-1/vnc`;
    const token = await sign([exact], ['get']);
    const verify = createVerifier({ keys: () => keys, clockSkewMs: 0, maxLifetimeMs: 3_600_000, audiences: [], ceiling: [] });
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(path, fc.constant(exact)), method, fc.boolean(), async (p, m, upgrade) => {
        const decision = await verify(token, { method: m, path: p, upgrade });
        if (decision.allow) {
          allowed += 1;
          expect(p).toBe(exact);
          expect(m).toBe('GET');
        }
      }),
      { numRuns: 2000 },
    );
    // The property is only worth something if the generator reaches the allowed case too.
    expect(allowed).toBeGreaterThan(0);
  });

  it('keeps a star pattern inside its prefix and under the ceiling, with clean paths only', async () => {
    const prefix = `${base}/team-a/`;
    const token = await sign([`${prefix}*`], ['get', 'post']);
    const ceiling = [`${base}/+/virtualmachineinstances/+/vnc`];
    const verify = createVerifier({ keys: () => keys, clockSkewMs: 0, maxLifetimeMs: 3_600_000, audiences: [], ceiling });
    const near = fc.constantFrom('web-1', 'web-10', 'x').map((vm) => `${prefix}virtualmachineinstances/${vm}/vnc`);
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(path, near), method, async (p, m) => {
        const decision = await verify(token, { method: m, path: p, upgrade: false });
        if (decision.allow) {
          allowed += 1;
          expect(p.startsWith(prefix)).toBe(true);
          expect(checkPath(p)).toBeUndefined();
          expect(p).toMatch(/^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/team-a\/virtualmachineinstances\/[^/]+\/vnc$/);
          expect(['GET', 'POST']).toContain(m);
        }
      }),
      { numRuns: 2000 },
    );
    expect(allowed).toBeGreaterThan(0);
  });
});
