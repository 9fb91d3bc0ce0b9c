import 'reflect-metadata';
import { createPublicKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { importPrivateKey, importPublicKeys, KeyError, rsaThumbprint } from './keys.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function rsaPair(bits = 2048) {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' });
}

async function certificatePem(privateKey: KeyObject, publicKey: KeyObject): Promise<string> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spkiDer(publicKey), algorithm, true, ['verify']),
  };
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=kube-gateway-jwt',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
  });
  return certificate.toString('pem');
}

describe('importPublicKeys', () => {
  const first = rsaPair();
  const second = rsaPair();
  let certificate: string;

  beforeAll(async () => {
    certificate = await certificatePem(first.privateKey, first.publicKey);
  });

  it('reads an X.509 certificate', () => {
    const [key, extra] = importPublicKeys(certificate);
    expect(extra).toBeUndefined();
    expect(key?.source).toBe('block 1 (X.509 certificate)');
    expect(key?.key.equals(first.publicKey)).toBe(true);
  });

  it('reads a bare SubjectPublicKeyInfo under a CERTIFICATE label, as the gateway operator writes it', () => {
    const text = pem('CERTIFICATE', spkiDer(first.publicKey));
    expect(() => createPublicKey(text)).toThrow();
    const [key] = importPublicKeys(text);
    expect(key?.source).toBe('block 1 (SubjectPublicKeyInfo under a CERTIFICATE label)');
    expect(key?.key.equals(first.publicKey)).toBe(true);
  });

  it('reads PUBLIC KEY and RSA PUBLIC KEY', () => {
    const spki = importPublicKeys(first.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const pkcs1 = importPublicKeys(first.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string);
    expect(spki[0]?.key.equals(first.publicKey)).toBe(true);
    expect(pkcs1[0]?.key.equals(first.publicKey)).toBe(true);
    expect(pkcs1[0]?.source).toBe('block 1 (PKCS#1 RSA public key)');
  });

  it('gives every format of one key the same kid, the RFC 7638 thumbprint jose computes', async () => {
    const expected = await calculateJwkThumbprint(await exportJWK(first.publicKey), 'sha256');
    const texts = [
      certificate,
      pem('CERTIFICATE', spkiDer(first.publicKey)),
      first.publicKey.export({ format: 'pem', type: 'spki' }) as string,
      first.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string,
    ];
    for (const text of texts) {
      expect(importPublicKeys(text)[0]?.kid).toBe(expected);
    }
  });

  it('keeps several blocks in file order, newest first, with surrounding text and CRLF tolerated', () => {
    const text = ['# rotated 2024-05-01', pem('CERTIFICATE', spkiDer(second.publicKey)), 'old key below', certificate]
      .join('\n')
      .replace(/\n/g, '\r\n');
    const keys = importPublicKeys(text);
    expect(keys.map((k) => k.kid)).toEqual([rsaThumbprint(second.publicKey), rsaThumbprint(first.publicKey)]);
    expect(keys[1]?.source).toBe('block 2 (X.509 certificate)');
  });

  it('keeps a key published twice only once', () => {
    const keys = importPublicKeys(certificate + pem('PUBLIC KEY', spkiDer(first.publicKey)));
    expect(keys).toHaveLength(1);
  });

  it('rejects empty input and text without PEM blocks', () => {
    expect(() => importPublicKeys('')).toThrow(/no PEM block found/);
    expect(() => importPublicKeys('just some text\n')).toThrow(KeyError);
  });

  it('rejects garbage inside a block and names the block', () => {
    const garbage = pem('CERTIFICATE', Buffer.from('definitely not DER'));
    expect(() => importPublicKeys(certificate + garbage)).toThrow(
      'PEM block 2 (CERTIFICATE): neither an X.509 certificate nor a SubjectPublicKeyInfo',
    );
    expect(() => importPublicKeys('-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----')).toThrow(
      'PEM block 1 (PUBLIC KEY): the body is not valid base64',
    );
    expect(() => importPublicKeys(pem('PUBLIC KEY', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])))).toThrow(
      'PEM block 1 (PUBLIC KEY): not a valid SubjectPublicKeyInfo',
    );
    expect(() => importPublicKeys(pem('RSA PUBLIC KEY', spkiDer(first.publicKey)))).toThrow(
      'PEM block 1 (RSA PUBLIC KEY): not a valid PKCS#1 RSA public key',
    );
  });

  it('rejects broken PEM framing', () => {
    const body = spkiDer(first.publicKey).toString('base64');
    expect(() => importPublicKeys(`-----BEGIN PUBLIC KEY-----\n${body}\n`)).toThrow(/BEGIN line without a matching END line/);
    expect(() => importPublicKeys(`-----BEGIN PUBLIC KEY-----\n${body}\n-----END CERTIFICATE-----`)).toThrow(
      'PEM block 1: BEGIN PUBLIC KEY is closed by END CERTIFICATE',
    );
  });

  it('rejects an EC key, whether bare or in a certificate-labelled block', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => importPublicKeys(ec.publicKey.export({ format: 'pem', type: 'spki' }) as string)).toThrow(
      'PEM block 1 (PUBLIC KEY): EC key; only RSA keys are accepted (tokens are RS256, RS384 or RS512)',
    );
    expect(() => importPublicKeys(certificate + pem('CERTIFICATE', spkiDer(ec.publicKey)))).toThrow(/PEM block 2 .*EC key/);
  });

  it('rejects Ed25519, RSA-PSS and short RSA keys', () => {
    const ed = generateKeyPairSync('ed25519');
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const short = rsaPair(1024);
    expect(() => importPublicKeys(pem('PUBLIC KEY', spkiDer(ed.publicKey)))).toThrow(/ED25519 key; only RSA/);
    expect(() => importPublicKeys(pem('PUBLIC KEY', spkiDer(pss.publicKey)))).toThrow(/RSA-PSS key; only RSA/);
    expect(() => importPublicKeys(pem('PUBLIC KEY', spkiDer(short.publicKey)))).toThrow(
      'PEM block 1 (PUBLIC KEY): RSA key is 1024 bits; at least 2048 are required',
    );
  });

  it('rejects a private key or other material in the public key file', () => {
    const text = first.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(() => importPublicKeys(text)).toThrow('PEM block 1 (PRIVATE KEY): expected CERTIFICATE, PUBLIC KEY or RSA PUBLIC KEY');
  });
});

describe('importPrivateKey', () => {
  const pair = rsaPair();

  it('reads PKCS#1 and PKCS#8, with the kid of the public half', () => {
    const kid = importPublicKeys(pem('PUBLIC KEY', spkiDer(pair.publicKey)))[0]?.kid;
    for (const type of ['pkcs1', 'pkcs8'] as const) {
      const imported = importPrivateKey(pair.privateKey.export({ format: 'pem', type }) as string);
      expect(imported.kid).toBe(kid);
      expect(imported.key.type).toBe('private');
      expect(imported.publicKey.equals(pair.publicKey)).toBe(true);
    }
  });

  it('rejects an empty text, several blocks and a public key', () => {
    const one = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(() => importPrivateKey('')).toThrow('no PEM block found (expected PRIVATE KEY or RSA PRIVATE KEY)');
    expect(() => importPrivateKey(one + one)).toThrow('expected one private key, found 2 PEM blocks');
    expect(() => importPrivateKey(pem('PUBLIC KEY', spkiDer(pair.publicKey)))).toThrow(
      'PEM block 1 (PUBLIC KEY): expected PRIVATE KEY or RSA PRIVATE KEY',
    );
  });

  it('rejects an EC private key, an encrypted key and garbage', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => importPrivateKey(ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toThrow(
      'PEM block 1 (PRIVATE KEY): EC key; only RSA keys are accepted',
    );
    expect(() => importPrivateKey(ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string)).toThrow(
      'PEM block 1 (EC PRIVATE KEY): expected PRIVATE KEY or RSA PRIVATE KEY',
    );
    const encrypted = pair.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(() => importPrivateKey(encrypted)).toThrow('encrypted private keys are not supported');
    const legacy = pair.privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(() => importPrivateKey(legacy)).toThrow('encrypted or header-carrying PEM is not supported');
    expect(() => importPrivateKey(pem('RSA PRIVATE KEY', Buffer.from('nope')))).toThrow(
      'PEM block 1 (RSA PRIVATE KEY): not a valid PKCS#1 private key',
    );
  });
});
