import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { x509 } from './x509-provider.ts';

export interface JwtKeyPair {
  /** PKCS#1 `-----BEGIN RSA PRIVATE KEY-----`, as kube-gateway's secret holds it. */
  privateKeyPem: string;
  /** A self-signed X.509 certificate for the public key. */
  certificatePem: string;
}

const RSA_SIGN = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** The link-signing key pair that kube-gateway's bootstrap would create. */
export async function generateJwtKeyPair(commonName = 'kube-gateway'): Promise<JwtKeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), RSA_SIGN, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), RSA_SIGN, true, ['verify']),
  } as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex'),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
    signingAlgorithm: RSA_SIGN,
    keys,
  });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    certificatePem: cert.toString('pem'),
  };
}
