import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { rsaThumbprint } from '../shared/node/keys.ts';
import { refusingRevoked } from './authorize.ts';
import { createVerifier } from './verify.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = [{ kid: rsaThumbprint(pair.publicKey), key: pair.publicKey, source: 'test' }];
const now = Math.floor(Date.now() / 1000);
const path = '/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/web-1';
const target = { method: 'GET', path, upgrade: false };

const sign = (claims: Record<string, unknown>) =>
  new SignJWT({ URLs: [path], verbs: ['get'], nbf: now - 60, exp: now + 600, ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(pair.privateKey);

describe('revocation on top of the verifier', () => {
  it('refuses a revoked link at its next request although the verifier remembers allowing it, and allows it again once unrevoked', async () => {
    const revoked = new Set<string>();
    const check = refusingRevoked(createVerifier({ keys: () => keys, clockSkewMs: 0, maxLifetimeMs: 3_600_000, audiences: [], ceiling: [] }), (id) => id !== undefined && revoked.has(id));
    const token = await sign({ jti: 'link-1' });
    const other = await sign({ id: 'link-2' });
    expect((await check(token, target)).allow).toBe(true);
    expect((await check(token, target)).allow).toBe(true);
    revoked.add('link-1');
    expect(await check(token, target)).toMatchObject({ allow: false, status: 401, reason: 'revoked', message: 'this link has been revoked' });
    expect(await check(token)).toMatchObject({ allow: false, reason: 'revoked' });
    expect((await check(other, target)).allow).toBe(true);
    revoked.add('link-2');
    expect(await check(other, target)).toMatchObject({ allow: false, reason: 'revoked' });
    revoked.clear();
    expect((await check(token, target)).allow).toBe(true);
  });
});
