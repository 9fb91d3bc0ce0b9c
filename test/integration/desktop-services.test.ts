// The desktop app's main-process services against the local cluster stand-in
// and the real gateway: what an operator does (browse, share, revoke, open a
// console, bridge it to a VNC client) through createDesktopApi, with Electron
// replaced by plain doubles. Links are checked by the gateway itself.
import { connect as netConnect, type Socket } from 'node:net';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesktopEvent, InventoryEvent, VmRow } from '../../shared/desktop-api.ts';
import { decodeClaimsUnverified, parseLink } from '../../shared/links.ts';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { createDesktopApi, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { gatepassConfigMap } from '../cluster/default-fixture.ts';
import { bearerSubprotocol, openConsole } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { memoryStore, fakePlatform, freePort, readChannel, rejection } from '../support/desktop-doubles.ts';

function readSocket(socket: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let bytes = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (bytes.length >= count) resolve(bytes.subarray(0, count));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${bytes.length} bytes`)));
  });
}

let harness: Harness;
let gatewayUrl: string;
let api: DesktopApiImpl;
let fakes: ReturnType<typeof fakePlatform>;
let store: ReturnType<typeof memoryStore>;
const events: DesktopEvent[] = [];

beforeAll(async () => {
  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  harness = await startHarness({ flags: ['--gateway-listen', gatewayUrl, '--audience', gatewayUrl] });
  harness.cluster.objects.put(gatepassConfigMap(gatewayUrl));
  fakes = fakePlatform(true);
  store = memoryStore();
  api = createDesktopApi({ platform: fakes.platform, store, kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined, inventory: { batchMs: 20 } });
  api.onEvent((event) => events.push(event));
});

afterAll(async () => {
  await api?.dispose();
  await harness?.close();
});

const inventoryEvents = (context: string): InventoryEvent[] =>
  events.flatMap((e) => (e.kind === 'inventory' && e.event.context === context ? [e.event] : []));

/** The rows as the renderer would hold them after applying every delta. */
function rowsFrom(context: string): Map<string, VmRow> {
  const rows = new Map<string, VmRow>();
  for (const event of inventoryEvents(context)) {
    if (event.kind === 'reset') {
      rows.clear();
      for (const row of event.rows) rows.set(row.key, row);
    } else if (event.kind === 'upsert') for (const row of event.rows) rows.set(row.key, row);
    else if (event.kind === 'remove') for (const key of event.keys) rows.delete(key);
  }
  return rows;
}

describe('contexts and inventory', () => {
  it('lists every context of the kubeconfig and probes the current one', async () => {
    const contexts = await api.listContexts();
    expect(contexts.map((c) => c.name).sort()).toEqual(['admin', 'gateway', 'issuer-limited', 'operator', 'viewer']);
    expect(contexts.find((c) => c.current)?.name).toBe('admin');
    await api.selectContext('operator');
    await waitFor(async () => (await api.listContexts()).find((c) => c.name === 'operator')?.state === 'connected', 'operator connected');
    expect(store.data.get('currentContext')).toBe('operator');
  });

  it('joins VMs with their instances and follows a VM that stops and starts', async () => {
    await api.watchInventory('operator');
    await waitFor(() => inventoryEvents('operator').some((e) => e.kind === 'reset'), 'the first rows');
    const resets = inventoryEvents('operator').filter((e) => e.kind === 'reset');
    expect(resets).toHaveLength(1);
    const web = rowsFrom('operator').get('team-a/web-1');
    expect(web).toMatchObject({ status: 'Running', running: true, ready: true, node: 'node-1', ips: ['10.244.1.21'], guestOS: 'Ubuntu 24.04 LTS', agentConnected: true, labels: { app: 'web', tier: 'frontend' } });
    expect(rowsFrom('operator').get('team-b/build-7')).toMatchObject({ status: 'Stopped', running: false, ips: [] });
    expect(inventoryEvents('operator').find((e) => e.kind === 'state' && e.state === 'live')).toMatchObject({ scope: { kind: 'cluster' } });

    harness.cluster.setVmRunning('team-a', 'web-1', false);
    await waitFor(() => rowsFrom('operator').get('team-a/web-1')?.status === 'Stopped', 'web-1 stopped');
    expect(rowsFrom('operator').get('team-a/web-1')).toMatchObject({ running: false, ips: [], agentConnected: false });
    harness.cluster.setVmRunning('team-a', 'web-1', true);
    await waitFor(() => rowsFrom('operator').get('team-a/web-1')?.running === true, 'web-1 running again');
    expect(inventoryEvents('operator').filter((e) => e.kind === 'reset')).toHaveLength(1);
  });

  it('removes a deleted VM with a delta', async () => {
    harness.cluster.objects.put({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'tmp-1', namespace: 'team-b' }, spec: { runStrategy: 'Halted' } });
    await waitFor(() => rowsFrom('operator').has('team-b/tmp-1'), 'tmp-1 listed');
    harness.cluster.objects.delete('VirtualMachine', 'team-b', 'tmp-1');
    await waitFor(() => inventoryEvents('operator').some((e) => e.kind === 'remove' && e.keys.includes('team-b/tmp-1')), 'tmp-1 removed');
  });

  it('shows a thumbnail with the operator credentials and says why not without them', async () => {
    const shot = await api.screenshot('admin', 'team-a', 'db-1');
    expect(shot.ok).toBe(true);
    if (shot.ok) expect(Buffer.from(shot.pngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const refused = await api.screenshot('viewer', 'team-a', 'db-1');
    expect(refused).toMatchObject({ ok: false, reason: { code: 'forbidden', context: 'viewer' } });
  });
});

describe('issuing links', () => {
  it('discovers the gateway from the ConfigMap and what it enforces', async () => {
    const gateway = await api.getGateway('operator');
    expect(gateway).toMatchObject({ url: gatewayUrl, kind: 'gatepass', source: 'configmap' });
    expect(gateway.enforces).toEqual(expect.arrayContaining(['viewOnly', 'maxUses', 'revocation', 'audience']));
  });

  it('signs a link scoped to one console, which the real gateway opens', async () => {
    const result = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '15m', label: 'for Carol' });
    const parsed = parseLink(result.link);
    expect(parsed).toMatchObject({ form: 'fragment', gateway: gatewayUrl, name: 'web-1', namespace: 'team-a' });
    const claims = decodeClaimsUnverified(parsed.token);
    expect(claims).toMatchObject({ URLs: [vncPath('team-a', 'web-1')], verbs: ['get'], sub: 'alice', aud: gatewayUrl, gatepass: { label: 'for Carol' } });
    expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeGreaterThan(14 * 60);
    expect(result.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(result.issued).toMatchObject({ context: 'operator', issuedBy: 'alice', canCopyAgain: true, revoked: false, label: 'for Carol' });
    // The token starts 60 s early for slow gateway clocks; what the person sees is the 15 minutes they asked for, from now.
    expect(Date.parse(result.issued.until) - Date.parse(result.issued.from)).toBe(15 * 60_000);
    expect(Math.abs(Date.parse(result.issued.from) - Date.now())).toBeLessThan(5_000);
    expect(Date.parse(result.issued.from) / 1000 - (claims.nbf as number)).toBe(60);

    const ticket = await api.openConsole({ kind: 'link', link: result.link }, { takeOver: false });
    expect(ticket).toMatchObject({ namespace: 'team-a', name: 'web-1', viewOnly: false });
    const channel = api.takeConsoleChannel(ticket.id);
    expect(channel).toBeDefined();
    expect(api.takeConsoleChannel(ticket.id)).toBeUndefined();
    const first = await readChannel(channel!, 12);
    expect(first).toEqual({ bytes: Buffer.from('RFB 003.008\n') });
    await api.closeConsole(ticket.id);
  });

  it('never keeps a token in the clear, and copies a sealed link again', async () => {
    const result = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '1h' });
    const token = parseLink(result.link).token;
    expect(JSON.stringify([...store.data])).not.toContain(token);
    expect(JSON.stringify([...store.data])).not.toContain(token.split('.')[2]);
    expect(await api.copyIssuedLink(result.issued.id)).toEqual({ delivered: true });
    expect(fakes.clipboard.at(-1)).toBe(result.link);
    expect((await api.listIssuedLinks()).map((l) => l.id)).toContain(result.issued.id);
  });

  it('hands copies and mails to the page where main cannot reach the desktop (the development bridge)', async () => {
    const doubles = fakePlatform(true);
    const paged = createDesktopApi({ platform: { ...doubles.platform, deliverIn: 'page' }, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined });
    try {
      const result = await paged.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '5m', label: 'for Ann' });
      expect(await paged.copyText(result.link)).toEqual({ deliverInPage: { text: result.link } });
      expect(await paged.copyIssuedLink(result.issued.id)).toEqual({ deliverInPage: { text: result.link } });
      const mail = await paged.sendByMail(result.issued.id);
      if (!('openInPage' in mail)) throw new Error(`expected a mailto: for the page, got ${JSON.stringify(mail)}`);
      const query = new URLSearchParams(mail.openInPage.replace(/^mailto:\?/, ''));
      expect(query.get('subject')).toBe('Console link for team-a/db-1');
      expect(query.get('body')!.split('\n')).toContain(result.link);
      expect(doubles.clipboard).toEqual([]);
      expect(doubles.opened).toEqual([]);
    } finally {
      await paged.dispose();
    }
  });

  it('keeps no link when secure storage is unavailable', async () => {
    const plain = fakePlatform(false);
    const bare = createDesktopApi({ platform: plain.platform, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined });
    try {
      const result = await bare.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '5m' });
      expect(result.issued.canCopyAgain).toBe(false);
      expect(await rejection(bare.copyIssuedLink(result.issued.id))).toMatchObject({ code: 'unsupported' });
    } finally {
      await bare.dispose();
    }
  });

  it('refuses a viewer who may not read the signing key', async () => {
    const error = await rejection(api.shareConsole({ context: 'viewer', namespace: 'team-a', name: 'web-1', duration: '1h' }));
    expect(error).toMatchObject({ code: 'forbidden', context: 'viewer' });
    expect(error.message).toMatch(/^you may not issue links in this cluster: /);
  });

  it('invites into the operator\'s own console: a view-only invitation by default, and a full-control link for the operator, both for that console alone', async () => {
    const result = await api.inviteToConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', console: 'serial', duration: '15m', label: 'Ann' });
    const invitation = decodeClaimsUnverified(parseLink(result.invitation.link).token);
    const own = decodeClaimsUnverified(parseLink(result.ownLink).token);
    expect(invitation).toMatchObject({ URLs: [consolePath('team-a', 'web-1')], sub: 'alice', gatepass: { label: 'Ann', viewOnly: true } });
    expect(own).toMatchObject({ URLs: [consolePath('team-a', 'web-1')], sub: 'alice', verbs: ['get'] });
    expect((own.gatepass as { viewOnly?: boolean } | undefined)?.viewOnly).toBeUndefined();
    expect(result.invitation.issued.options.viewOnly).toBe(true);

    const control = await api.inviteToConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', console: 'vnc', duration: '15m', viewOnly: false });
    expect(decodeClaimsUnverified(parseLink(control.invitation.link).token)).toMatchObject({ URLs: [vncPath('team-a', 'web-1')], verbs: ['get'] });
  });

  it('refuses an invitation as Share refuses, and bad input before anything is signed', async () => {
    const refused = await rejection(api.inviteToConsole({ context: 'viewer', namespace: 'team-a', name: 'web-1', console: 'vnc', duration: '1h' }));
    expect(refused).toMatchObject({ code: 'forbidden', context: 'viewer' });
    const before = (await api.listIssuedLinks()).length;
    expect(await rejection(api.inviteToConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', console: 'rdp' as 'vnc', duration: '1h' }))).toMatchObject({ code: 'invalid-input' });
    expect(await rejection(api.inviteToConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', console: 'vnc', duration: '169h' }))).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('168h') });
    expect((await api.listIssuedLinks()).length).toBe(before);
  });

  it('rejects bad input with a clear error before anything happens', async () => {
    expect(await rejection(api.shareConsole({ context: 'operator', namespace: 'Team_A', name: 'web-1', duration: '1h' }))).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('namespace') });
    expect(await rejection(api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '169h' }))).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('168h') });
    expect(await rejection(api.shareConsole({ context: 'nope', namespace: 'team-a', name: 'web-1', duration: '1h' }))).toMatchObject({ code: 'not-found' });
    expect(await rejection(api.saveClusterSettings('operator', { gatewayURL: 'http://gateway.example.com', keySecret: { namespace: 'kube-gateway', name: 'kube-gateway-jwt-private', key: 'tls.key' }, defaultLifetime: '1h', defaultViewOnly: false, defaultSingleUse: false }))).toMatchObject({ code: 'invalid-input' });
  });

  it('issues a view-only single-use link the gateway enforces', async () => {
    const result = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '10m', viewOnly: true, singleUse: true });
    const claims = decodeClaimsUnverified(parseLink(result.link).token);
    expect(claims).toMatchObject({ verbs: ['gatepass:view'], gatepass: { viewOnly: true, maxUses: 1 } });
    const first = await api.openConsole({ kind: 'link', link: result.link }, { takeOver: true });
    expect(first.viewOnly).toBe(true);
    expect(await readChannel(api.takeConsoleChannel(first.id)!, 12)).toEqual({ bytes: Buffer.from('RFB 003.008\n') });
    await api.closeConsole(first.id);
    // Reopening it in the same app is the same use; anyone else finds it used up.
    const again = await api.openConsole({ kind: 'link', link: result.link }, { takeOver: true });
    expect(await readChannel(api.takeConsoleChannel(again.id)!, 12)).toEqual({ bytes: Buffer.from('RFB 003.008\n') });
    await api.closeConsole(again.id);
    const parsed = parseLink(result.link);
    const elsewhere = await openConsole(`${parsed.gateway.replace('http', 'ws')}/k8s${vncPath('team-a', 'db-1')}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(parsed.token)] });
    expect(elsewhere.code).toBe(4403);
    expect(elsewhere.reason).toMatch(/used up/);
  });

  it('revokes a link, after which the gateway refuses it', async () => {
    const result = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '30m' });
    const revoked = await api.revokeLink(result.issued.id);
    expect(revoked).toMatchObject({ revoked: true, canCopyAgain: false });
    const configMap = harness.cluster.objects.get('ConfigMap', 'kube-gateway', 'gatepass-revoked') as { data?: Record<string, string> };
    expect(configMap.data?.[result.issued.id]).toBe(result.issued.until);
    await waitFor(async () => {
      const ticket = await api.openConsole({ kind: 'link', link: result.link }, { takeOver: true });
      const outcome = await readChannel(api.takeConsoleChannel(ticket.id)!, 12);
      return 'code' in outcome && outcome.code === 4401;
    }, 'the gateway to refuse the revoked link');
  });

  it('quick-shares from the tray: copies, notifies, remembers the VM', async () => {
    await api.selectContext('operator');
    const result = await api.quickShare('operator', 'team-a', 'web-1');
    expect(fakes.clipboard.at(-1)).toBe(result.link);
    expect(fakes.notices.at(-1)).toMatch(/^Console link copied: Console link for team-a\/web-1, valid until \d\d:\d\d, copied$/);
    expect(api.trayModel()).toMatchObject({ context: 'operator', defaultLifetime: '1h', vms: expect.arrayContaining([{ namespace: 'team-a', name: 'web-1', favourite: false }]) });
  });
});

describe('consoles and the VNC bridge', () => {
  it("opens the operator's own console straight to the API server", async () => {
    const ticket = await api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-a', name: 'db-1' }, { takeOver: true });
    expect(await readChannel(api.takeConsoleChannel(ticket.id)!, 12)).toEqual({ bytes: Buffer.from('RFB 003.008\n') });
    await api.closeConsole(ticket.id);
    const stopped = await api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-b', name: 'build-7' }, { takeOver: false });
    expect(await readChannel(api.takeConsoleChannel(stopped.id)!, 12)).toMatchObject({ code: 4404 });
  });

  it('bridges a link to a private Unix socket for one VNC client at a time', async () => {
    const result = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '10m' });
    const bridge = await api.openInVncClient({ kind: 'link', link: result.link });
    expect(bridge.address).toMatch(/^unix:\//);
    expect(bridge.until).toBe(result.issued.until);
    const path = bridge.address.slice('unix:'.length);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const client = netConnect(path);
    expect((await readSocket(client, 12)).toString()).toBe('RFB 003.008\n');
    const second = netConnect(path);
    await new Promise<void>((resolve) => second.on('close', () => resolve()));
    expect(second.bytesRead).toBe(0);
    await api.closeVncBridge(bridge.id);
    await new Promise<void>((resolve) => client.on('close', () => resolve()));
  });
});

describe('received links and deep links', () => {
  it('summarises what a link claims', async () => {
    const result = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '2h', label: 'audit' });
    const summary = await api.inspectLink(`gatepass://open?link=${encodeURIComponent(result.link)}`);
    expect(summary).toMatchObject({ gateway: gatewayUrl, namespace: 'team-a', name: 'web-1', form: 'fragment', viewOnly: false, label: 'audit', issuedBy: 'alice', until: result.issued.until });
    expect(await rejection(api.inspectLink('https://example.com/nothing'))).toMatchObject({ code: 'invalid-input' });
  });

  it('holds a deep link until the renderer is ready, then only forwards it', async () => {
    const fresh = createDesktopApi({ platform: fakePlatform(false).platform, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined });
    const seen: DesktopEvent[] = [];
    fresh.onEvent((e) => seen.push(e));
    const link = 'gatepass://open?link=https%3A%2F%2Fgw.example.com%2Fopen%23token%3Da.b.c%26name%3Dweb-1%26namespace%3DTeam-A';
    fresh.receiveDeepLink(link);
    expect(await fresh.rendererReady()).toBe(link);
    expect(await fresh.rendererReady()).toBeUndefined();
    fresh.receiveDeepLink(link);
    expect(seen).toEqual([{ kind: 'deep-link', link }]);
    await fresh.dispose();
  });
});
