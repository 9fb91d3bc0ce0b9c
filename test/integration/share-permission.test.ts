// "Issue only what you may open yourself" in the app's main process, against the
// cluster stand-in's real RBAC and the real gateway: issuer-limited (dana) may read
// the signing key and list every VM, but open consoles only in team-a.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharePermission } from '../../shared/desktop-api.ts';
import { decodeClaimsUnverified, parseLink } from '../../shared/links.ts';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { createDesktopApi, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { gatepassConfigMap } from '../cluster/default-fixture.ts';
import { startHarness, type Harness } from '../support/gateway-harness.ts';
import { fakePlatform, freePort, memoryStore, rejection } from '../support/desktop-doubles.ts';

let harness: Harness;
let api: DesktopApiImpl;

beforeAll(async () => {
  const gatewayUrl = `http://127.0.0.1:${await freePort()}`;
  harness = await startHarness({ flags: ['--gateway-listen', gatewayUrl, '--audience', gatewayUrl] });
  harness.cluster.objects.put(gatepassConfigMap(gatewayUrl));
  api = createDesktopApi({ platform: fakePlatform(true).platform, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined });
});

afterAll(async () => {
  await api?.dispose();
  await harness?.close();
});

const refused = (permission: SharePermission) => (permission.allowed ? undefined : permission);

describe('checkSharePermission (asked when the share dialog opens)', () => {
  it('refuses a console the issuer may not open, in words naming the VM and the question', async () => {
    const permission = refused(await api.checkSharePermission('issuer-limited', 'team-b', 'build-7'));
    expect(permission?.why).toBe('console');
    expect(permission?.error).toMatchObject({ code: 'forbidden', context: 'issuer-limited' });
    expect(permission?.error.message).toMatch(/^the API server does not let you \(context "issuer-limited"\) get virtualmachineinstances\/vnc of "build-7" in namespace "team-b"/);
    expect(permission?.error.message).toContain('kubectl auth can-i get virtualmachineinstances.subresources.kubevirt.io/build-7 --subresource=vnc -n team-b');
  });

  it('allows the same issuer a console they may open', async () => {
    expect(await api.checkSharePermission('issuer-limited', 'team-a', 'web-1')).toEqual({ allowed: true, consoles: ['vnc', 'serial'] });
  });

  it('offers only the serial console to an issuer who may open only that one, and signs only that', async () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'serial-only' },
      rules: [{ apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/console'], verbs: ['get'] }],
    };
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dana-serial', namespace: 'team-b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'serial-only' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dana' }],
    };
    harness.cluster.objects.put(role);
    harness.cluster.objects.put(binding);
    try {
      const permission = await api.checkSharePermission('issuer-limited', 'team-b', 'build-7');
      expect(permission).toMatchObject({ allowed: true, consoles: ['serial'] });
      expect(permission.allowed && permission.refusals?.vnc?.message).toContain('get virtualmachineinstances/vnc of "build-7"');
      const result = await api.shareConsole({ context: 'issuer-limited', namespace: 'team-b', name: 'build-7', duration: '10m', consoles: ['serial'] });
      expect(decodeClaimsUnverified(parseLink(result.link).token).URLs).toEqual([consolePath('team-b', 'build-7')]);
      expect(await rejection(api.shareConsole({ context: 'issuer-limited', namespace: 'team-b', name: 'build-7', duration: '10m', consoles: ['vnc', 'serial'] }))).toMatchObject({ code: 'forbidden' });
    } finally {
      harness.cluster.objects.delete('RoleBinding', 'team-b', 'dana-serial');
      harness.cluster.objects.delete('ClusterRole', undefined, 'serial-only');
    }
  });

  it('says "no links here at all" first to someone who may not read the signing key', async () => {
    const permission = refused(await api.checkSharePermission('viewer', 'team-a', 'web-1'));
    expect(permission?.why).toBe('signing-key');
    expect(permission?.error.message).toMatch(/^you may not issue links in this cluster: /);
  });

  it('rejects bad input as input, not as an answer', async () => {
    expect(await rejection(api.checkSharePermission('issuer-limited', 'team-b', 'a/b'))).toMatchObject({ code: 'invalid-input' });
    expect(await rejection(api.checkSharePermission('nope', 'team-b', 'build-7'))).toMatchObject({ code: 'not-found' });
  });
});

describe('shareConsole (the signer checks again: no caller can skip it)', () => {
  it('signs nothing for a console the issuer may not open, called directly without the dialog', async () => {
    const before = (await api.listIssuedLinks()).length;
    const error = await rejection(api.shareConsole({ context: 'issuer-limited', namespace: 'team-b', name: 'build-7', duration: '10m' }));
    expect(error).toMatchObject({ code: 'forbidden', context: 'issuer-limited' });
    expect(error.message).toContain('get virtualmachineinstances/vnc of "build-7" in namespace "team-b"');
    expect(await api.listIssuedLinks()).toHaveLength(before);
  });

  it('signs a link to a console the issuer may open, and the gateway lets it in', async () => {
    const result = await api.shareConsole({ context: 'issuer-limited', namespace: 'team-a', name: 'web-1', duration: '10m' });
    expect(result.issued).toMatchObject({ namespace: 'team-a', name: 'web-1', issuedBy: 'dana' });
    const parsed = parseLink(result.link);
    expect(decodeClaimsUnverified(parsed.token).URLs).toEqual([vncPath('team-a', 'web-1')]);
    const res = await fetch(`${parsed.gateway}/auth/jwt/set`, {
      method: 'POST', redirect: 'manual',
      body: new URLSearchParams({ token: parsed.token, name: 'web-1', namespace: 'team-a' }),
    });
    expect(res.status).toBe(302);
  });

  it('follows RBAC as it changes: no cached yes, no cached no', async () => {
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dana-console', namespace: 'team-b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'gatepass-vm-console' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dana' }],
    };
    harness.cluster.objects.put(binding);
    try {
      expect(await api.checkSharePermission('issuer-limited', 'team-b', 'build-7')).toEqual({ allowed: true, consoles: ['vnc', 'serial'] });
      await api.shareConsole({ context: 'issuer-limited', namespace: 'team-b', name: 'build-7', duration: '10m' });
    } finally {
      harness.cluster.objects.delete('RoleBinding', 'team-b', 'dana-console');
    }
    expect((await api.checkSharePermission('issuer-limited', 'team-b', 'build-7')).allowed).toBe(false);
    expect(await rejection(api.shareConsole({ context: 'issuer-limited', namespace: 'team-b', name: 'build-7', duration: '10m' }))).toMatchObject({ code: 'forbidden' });
  });
});
