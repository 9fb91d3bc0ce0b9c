// Key import for the token signer (desktop main process) and the token checker
// (gateway). Tokens are RS256/384/512 only, so every key here is RSA; anything else
// is refused at import, where the message can still say which PEM block is wrong,
// instead of surfacing later as an opaque verification failure.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface PublicKeyWithKid {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url): the `kid` tokens carry. */
  readonly kid: string;
  readonly key: KeyObject;
  /** Where the key came from, for logs: `block 1 (X.509 certificate)`. */
  readonly source: string;
}

export interface PrivateKeyWithKid {
  /** The thumbprint of the public half, so it equals the public key's `kid`. */
  readonly kid: string;
  readonly key: KeyObject;
  readonly publicKey: KeyObject;
}

export class KeyError extends Error {
  override readonly name = 'KeyError';
}

/** RS256 needs at least this much; jose refuses smaller RSA keys at verify time. */
export const MIN_RSA_BITS = 2048;

interface PemBlock {
  readonly index: number;
  readonly label: string;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const index = blocks.length + 1;
    const [, label = '', body = '', endLabel = ''] = match;
    if (label !== endLabel) {
      throw new KeyError(`PEM block ${index}: BEGIN ${label} is closed by END ${endLabel}`);
    }
    if (body.includes(':')) {
      throw new KeyError(`PEM block ${index} (${label}): encrypted or header-carrying PEM is not supported`);
    }
    const base64 = body.replace(/\s+/g, '');
    if (base64 === '' || !BASE64.test(base64) || base64.length % 4 !== 0) {
      throw new KeyError(`PEM block ${index} (${label}): the body is not valid base64`);
    }
    blocks.push({ index, label, der: Buffer.from(base64, 'base64') });
  }
  const unterminated = text.lastIndexOf('-----BEGIN ') > text.lastIndexOf('-----END ');
  if (unterminated) {
    throw new KeyError(`PEM block ${blocks.length + 1}: BEGIN line without a matching END line`);
  }
  return blocks;
}

/** RFC 7638: SHA-256 over the required RSA members in lexicographic order. */
export function rsaThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.e !== 'string' || typeof jwk.n !== 'string') {
    throw new KeyError('not an RSA key');
  }
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

function describeKeyType(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? key.type;
  return type === 'ec' ? 'EC' : type.toUpperCase();
}

function requireRsa(key: KeyObject, where: string): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KeyError(`${where}: ${describeKeyType(key)} key; only RSA keys are accepted (tokens are RS256, RS384 or RS512)`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new KeyError(`${where}: RSA key is ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  }
}

function tryOrUndefined<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

function publicKeyFromBlock(block: PemBlock): { key: KeyObject; kind: string } {
  const where = `PEM block ${block.index} (${block.label})`;
  const spki = () => createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  switch (block.label) {
    case 'CERTIFICATE': {
      // The gateway operator writes a bare SubjectPublicKeyInfo under this label.
      const bare = tryOrUndefined(spki);
      if (bare) return { key: bare, kind: 'SubjectPublicKeyInfo under a CERTIFICATE label' };
      const certificate = tryOrUndefined(() => new X509Certificate(block.der).publicKey);
      if (certificate) return { key: certificate, kind: 'X.509 certificate' };
      throw new KeyError(`${where}: neither an X.509 certificate nor a SubjectPublicKeyInfo`);
    }
    case 'PUBLIC KEY': {
      const key = tryOrUndefined(spki);
      if (key) return { key, kind: 'public key' };
      throw new KeyError(`${where}: not a valid SubjectPublicKeyInfo`);
    }
    case 'RSA PUBLIC KEY': {
      const key = tryOrUndefined(() => createPublicKey({ key: block.der, format: 'der', type: 'pkcs1' }));
      if (key) return { key, kind: 'PKCS#1 RSA public key' };
      throw new KeyError(`${where}: not a valid PKCS#1 RSA public key`);
    }
    default:
      throw new KeyError(`${where}: expected CERTIFICATE, PUBLIC KEY or RSA PUBLIC KEY`);
  }
}

/**
 * Every public key in a PEM text, in file order (newest first by convention).
 * The same key published twice is kept once.
 */
export function importPublicKeys(pemText: string): PublicKeyWithKid[] {
  const blocks = parsePemBlocks(pemText);
  if (blocks.length === 0) {
    throw new KeyError('no PEM block found (expected CERTIFICATE, PUBLIC KEY or RSA PUBLIC KEY)');
  }
  const keys: PublicKeyWithKid[] = [];
  for (const block of blocks) {
    const { key, kind } = publicKeyFromBlock(block);
    requireRsa(key, `PEM block ${block.index} (${block.label})`);
    const kid = rsaThumbprint(key);
    if (!keys.some((known) => known.kid === kid)) {
      keys.push({ kid, key, source: `block ${block.index} (${kind})` });
    }
  }
  return keys;
}

const PRIVATE_TYPES: Record<string, 'pkcs1' | 'pkcs8'> = { 'RSA PRIVATE KEY': 'pkcs1', 'PRIVATE KEY': 'pkcs8' };

/** One RSA private key, PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`). */
export function importPrivateKey(pem: string): PrivateKeyWithKid {
  const blocks = parsePemBlocks(pem);
  const [block, extra] = blocks;
  if (!block) {
    throw new KeyError('no PEM block found (expected PRIVATE KEY or RSA PRIVATE KEY)');
  }
  if (extra) {
    throw new KeyError(`expected one private key, found ${blocks.length} PEM blocks`);
  }
  const where = `PEM block 1 (${block.label})`;
  if (block.label === 'ENCRYPTED PRIVATE KEY') {
    throw new KeyError(`${where}: encrypted private keys are not supported`);
  }
  const type = PRIVATE_TYPES[block.label];
  if (!type) {
    throw new KeyError(`${where}: expected PRIVATE KEY or RSA PRIVATE KEY`);
  }
  const key = tryOrUndefined(() => createPrivateKey({ key: block.der, format: 'der', type }));
  if (!key) {
    throw new KeyError(`${where}: not a valid ${type === 'pkcs1' ? 'PKCS#1' : 'PKCS#8'} private key`);
  }
  requireRsa(key, where);
  const publicKey = createPublicKey(key);
  return { kid: rsaThumbprint(publicKey), key, publicKey };
}
