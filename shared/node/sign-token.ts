import { SignJWT } from 'jose';
import type { TokenClaims } from '../claims.ts';
import type { PrivateKeyWithKid } from './keys.ts';

/**
 * Signs claims as kube-gateway expects them: RS256, `typ: JWT`, plus the key's
 * RFC 7638 thumbprint as `kid` so a gateway holding several keys picks the right
 * one at once (kube-gateway ignores it).
 */
export async function signToken(claims: TokenClaims, key: PrivateKeyWithKid): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.key);
}
