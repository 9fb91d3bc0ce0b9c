import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClusterSettings, GatewayInfo } from '../../shared/desktop-api.ts';
import { consolePath, vncPath, type ConsoleKind } from '../../shared/kubevirt-paths.ts';
import { decodeClaimsUnverified, parseLink } from '../../shared/links.ts';
import { DesktopFailure } from './errors.ts';
import { IdentityCache } from './identity.ts';
import type { KubeClient } from './kube-client.ts';
import { Signer } from './signer.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const settings: ClusterSettings = {
  keySecret: { namespace: 'kube-gateway', name: 'kube-gateway-jwt-private', key: 'tls.key' },
  defaultLifetime: '1h', defaultViewOnly: false, defaultSingleUse: false,
};
const gateway: GatewayInfo = { url: 'https://gw.example', kind: 'gatepass', enforces: ['viewOnly', 'maxUses', 'revocation'], source: 'settings' };

type Subresource = 'vnc' | 'console';

/** A cluster that holds the signing key, knows the operator as alice and allows the console subresources in `allowed`; it records each access review. */
function cluster(allowed: readonly Subresource[]) {
  const reviewed: string[] = [];
  const client = {
    context: 'operator',
    server: 'https://cluster.example',
    namespace: undefined,
    async request(method: string, path: string, body?: unknown) {
      if (method === 'GET' && path === '/api/v1/namespaces/kube-gateway/secrets/kube-gateway-jwt-private') {
        return { data: { 'tls.key': Buffer.from(pem).toString('base64') } };
      }
      if (path.endsWith('/selfsubjectreviews')) return { status: { userInfo: { username: 'alice' } } };
      if (path.endsWith('/selfsubjectaccessreviews')) {
        const subresource = (body as { spec: { resourceAttributes: { subresource: Subresource } } }).spec.resourceAttributes.subresource;
        reviewed.push(subresource);
        return { status: { allowed: allowed.includes(subresource) } };
      }
      throw new Error(`unexpected ${method} ${path}`);
    },
  } as unknown as KubeClient;
  return { client, reviewed };
}

async function issue(consoles: ConsoleKind[], allowed: readonly Subresource[] = ['vnc', 'console']) {
  const { client, reviewed } = cluster(allowed);
  const signer = new Signer({ identities: new IdentityCache() });
  const issued = await signer.issue({ client, settings, gateway, namespace: 'team-a', name: 'web-1', duration: '15m', consoles });
  return { issued, reviewed, claims: decodeClaimsUnverified(parseLink(issued.link).token) };
}

describe('Signer: the consoles a link opens', () => {
  it('grants only the screen for a screen link', async () => {
    const { claims, reviewed } = await issue(['vnc']);
    expect(claims.URLs).toEqual([vncPath('team-a', 'web-1')]);
    expect(reviewed).toEqual(['vnc']);
  });

  it('grants only the serial console for a serial link, after asking about that console', async () => {
    const { claims, reviewed } = await issue(['serial']);
    expect(claims.URLs).toEqual([consolePath('team-a', 'web-1')]);
    expect(claims.URLs).toEqual(['/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/console']);
    expect(reviewed).toEqual(['console']);
  });

  it('lists both paths for a link to both, and asks about each', async () => {
    const { claims, reviewed, issued } = await issue(['vnc', 'serial']);
    expect(claims.URLs).toEqual([vncPath('team-a', 'web-1'), consolePath('team-a', 'web-1')]);
    expect(reviewed).toEqual(['vnc', 'console']);
    expect(issued.claims.URLs).toEqual(claims.URLs);
    expect(claims.verbs).toEqual(['get']);
  });

  it('refuses a serial link its issuer may not open themselves, naming the serial console', async () => {
    const refusal = await issue(['vnc', 'serial'], ['vnc']).then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(DesktopFailure);
    expect(refusal).toMatchObject({ code: 'forbidden' });
    expect((refusal as Error).message).toContain('get virtualmachineinstances/console of "web-1" in namespace "team-a"');
    expect((refusal as Error).message).toContain('serial console');
  });

  it('still issues the screen alone when only the serial console is forbidden', async () => {
    const { claims } = await issue(['vnc'], ['vnc']);
    expect(claims.URLs).toEqual([vncPath('team-a', 'web-1')]);
  });

  it('refuses a link that opens nothing', async () => {
    await expect(issue([])).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/at least one console/) });
  });
});
