import { generateKeyPairSync, randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { buildClaims } from './claims.ts';
import { vncPath } from './kubevirt-paths.ts';
import { buildGatewayLink } from './links.ts';
import { importPrivateKey } from './node/keys.ts';
import { signToken } from './node/sign-token.ts';
import { QR_MIN_MODULE_PX, QR_QUIET_ZONE_MODULES, QR_SVG_OPTIONS, qrDrawing, qrSideModules } from './qr-code.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = importPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);

interface LinkShape {
  gateway: string;
  namespace: string;
  name: string;
  sub: string;
  label?: string;
  pin?: string;
}

/** A link as the signer makes it: the same claims, a real RS256 signature, the fragment form. */
async function signedLink(shape: LinkShape): Promise<string> {
  const claims = buildClaims({
    urls: [vncPath(shape.namespace, shape.name)],
    verbs: ['get'],
    duration: '1h',
    randomId: randomUUID,
    sub: shape.sub,
    aud: shape.gateway,
    restrictions: { viewOnly: true, maxUses: 1, ...(shape.label ? { label: shape.label } : {}) },
    now: Date.now(),
  });
  const token = await signToken(claims, key);
  return buildGatewayLink({ gateway: shape.gateway, token, name: shape.name, namespace: shape.namespace, form: 'fragment', ...(shape.pin ? { pin: shape.pin } : {}) });
}

const typical: LinkShape = { gateway: 'https://gatepass.apps.example.com', namespace: 'team-a', name: 'web-1', sub: 'alice' };
// A long link: a 200-character label (the dialog's limit), a pin, a long gateway name and identity.
const long: LinkShape = {
  gateway: 'https://kube-gateway-kube-gateway.apps.production-cluster-01.example.com',
  namespace: 'platform-team-staging',
  name: 'windows-build-agent-07',
  sub: 'system:serviceaccount:platform-operators:console-link-issuer',
  label: 'l'.repeat(200),
  pin: `sha256/${'A'.repeat(43)}=`,
};

/** The share dialog's content box (app.css `.dialog`: 40rem wide, 1.5rem padding, 1px border each side). */
const SHARE_DIALOG_CONTENT_PX = 640 - 2 * 24 - 2;

function sideOf(link: string, errorCorrectionLevel: 'L' | 'M'): number {
  return QRCode.create(link, { errorCorrectionLevel }).modules.size + 2 * QR_QUIET_ZONE_MODULES;
}

describe('a real link as a QR code', () => {
  it('is a dense version, and the drawing gives every module at least the minimum pixels', async () => {
    const link = await signedLink(typical);
    expect(link.length).toBeGreaterThan(800);
    const { version } = QRCode.create(link, { errorCorrectionLevel: QR_SVG_OPTIONS.errorCorrectionLevel });
    expect(version).toBeGreaterThanOrEqual(20);
    const side = qrSideModules(version);
    expect(side).toBe(sideOf(link, 'L'));

    const drawing = qrDrawing(side, 0);
    expect(drawing.modulePx).toBeGreaterThanOrEqual(QR_MIN_MODULE_PX);
    expect(drawing.size / side).toBeGreaterThanOrEqual(4);
  });

  it('renders an SVG whose viewBox is the side in modules, quiet zone included', async () => {
    const link = await signedLink(typical);
    const svg = await QRCode.toString(link, QR_SVG_OPTIONS);
    const side = qrSideModules(QRCode.create(link, { errorCorrectionLevel: 'L' }).version);
    expect(svg).toContain(`viewBox="0 0 ${side} ${side}"`);
    expect(svg).toContain('shape-rendering="crispEdges"');
  });

  it('is smaller at level L than at M, which is why L is used', async () => {
    const link = await signedLink(typical);
    expect(QR_SVG_OPTIONS.errorCorrectionLevel).toBe('L');
    expect(sideOf(link, 'L')).toBeLessThan(sideOf(link, 'M'));
  });

  it('fits the share dialog at the minimum pixels per module even for a long link', async () => {
    const link = await signedLink(long);
    const side = sideOf(link, 'L');
    expect(qrDrawing(side, SHARE_DIALOG_CONTENT_PX).size).toBeLessThanOrEqual(SHARE_DIALOG_CONTENT_PX);
    // At M the same link would not fit: the margin L buys is real.
    expect(side * QR_MIN_MODULE_PX).toBeLessThanOrEqual(SHARE_DIALOG_CONTENT_PX);
    expect(sideOf(link, 'M') * QR_MIN_MODULE_PX).toBeGreaterThan(SHARE_DIALOG_CONTENT_PX);
  });
});

describe('qrDrawing', () => {
  it('takes the largest whole number of pixels per module that fits', () => {
    expect(qrDrawing(117, 800)).toEqual({ size: 702, modulePx: 6 });
    expect(qrDrawing(117, 701)).toEqual({ size: 585, modulePx: 5 });
    expect(qrDrawing(29, 29 * 10)).toEqual({ size: 290, modulePx: 10 });
  });

  it('never goes under the minimum, even when the space is smaller', () => {
    expect(qrDrawing(117, 300)).toEqual({ size: 117 * QR_MIN_MODULE_PX, modulePx: QR_MIN_MODULE_PX });
  });

  it('refuses sizes that are not a code or a space', () => {
    expect(() => qrDrawing(0, 500)).toThrow(/whole number of modules/);
    expect(() => qrDrawing(10.5, 500)).toThrow(/whole number of modules/);
    expect(() => qrDrawing(117, Number.NaN)).toThrow(/number of pixels/);
    expect(() => qrDrawing(117, -1)).toThrow(/number of pixels/);
  });
});

describe('qrSideModules', () => {
  it('is 17 + 4 × version modules plus the quiet zone on both sides', () => {
    expect(qrSideModules(1)).toBe(21 + 8);
    expect(qrSideModules(23)).toBe(109 + 8);
    expect(qrSideModules(40)).toBe(177 + 8);
  });

  it('refuses what is not a QR code version', () => {
    for (const bad of [0, 41, 2.5, Number.NaN]) expect(() => qrSideModules(bad)).toThrow(/from 1 to 40/);
  });
});
