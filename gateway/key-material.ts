// Link-signing key material as kube-gateway's secrets hold it: an RSA private key in
// PKCS#1 PEM (tls.key) and a self-signed X.509 certificate of its public half (tls.crt).
// The certificate is only a carrier for the public key; nothing checks its validity period.
// @peculiar/x509's CommonJS build needs this polyfill before it loads.
import 'reflect-metadata';
import { createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { importPrivateKey, importPublicKeys } from '../shared/node/keys.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const KEY_SIZES = [2048, 3072, 4096] as const;
export type KeySize = (typeof KEY_SIZES)[number];

export interface SigningKey {
  /** PKCS#1 `-----BEGIN RSA PRIVATE KEY-----`. */
  privateKeyPem: string;
  certificatePem: string;
  /** RFC 7638 thumbprint, the `kid` of tokens signed with it. */
  kid: string;
}

const RSA_SIGN = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600_000;

/** A self-signed certificate for the key in `privateKeyPem` (PKCS#1 or PKCS#8). */
export async function certificateFor(privateKeyPem: string, now = Date.now()): Promise<SigningKey> {
  const { key, kid } = importPrivateKey(privateKeyPem);
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), RSA_SIGN, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', createPublicKey(key).export({ type: 'spki', format: 'der' }), RSA_SIGN, true, ['verify']),
  } as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    // A positive serial: a leading 01 byte keeps the high bit clear.
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    name: `CN=gatepass link signing ${kid.slice(0, 16)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: RSA_SIGN,
    keys,
  });
  return { privateKeyPem: key.export({ type: 'pkcs1', format: 'pem' }) as string, certificatePem: certificate.toString('pem'), kid };
}

export async function generateSigningKey(bits: KeySize = 3072, now = Date.now()): Promise<SigningKey> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return certificateFor(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, now);
}

export interface PublishedKey {
  kid: string;
  /** The PEM block as published, so retiring keeps the others byte for byte. */
  pem: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The public keys of a tls.crt, one per PEM block, newest first as published. */
export function publishedKeys(tlsCrt: string): PublishedKey[] {
  importPublicKeys(tlsCrt);
  return [...tlsCrt.matchAll(BLOCK)].map((match) => {
    const pem = `${match[0]}\n`;
    const [key] = importPublicKeys(pem);
    if (!key) throw new Error('a PEM block without a public key');
    return { kid: key.kid, pem };
  });
}

export function joinPublishedKeys(keys: readonly PublishedKey[]): string {
  return keys.map((k) => k.pem).join('');
}
