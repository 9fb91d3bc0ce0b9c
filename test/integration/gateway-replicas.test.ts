// Gateway replicas against one cluster stand-in, as a Deployment with several
// replicas is: a viewer that reaches a replica other than the one holding its
// VM's console (serial or VNC) is relayed to the holder (the address in the
// console's Lease) and joins the one session there, presence included; when the holder goes, its viewers are told
// and a reconnect through another replica takes the console over. Forwarding
// adds no trust: the holder checks the viewer's token again, and believes the
// viewer's address only from a peer in its --trusted-proxies.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parsePresenceMessage } from '../../shared/console-presence.ts';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { encodeKeyEvent } from '../../shared/node/rfb.ts';
import { importPrivateKey } from '../../shared/node/keys.ts';
import { consoleLeaseName } from '../../gateway/console/console-lease.ts';
import { FORWARDED_BY_HEADER } from '../../gateway/console/forward-console.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { startReplica, type Replica } from '../support/gateway-replica.ts';
import { RfbViewer } from '../support/rfb-viewer.ts';
import { SerialViewer, type SerialViewerOptions } from '../support/serial-viewer.ts';

const NS = 'team-a';
const VMS = Array.from({ length: 10 }, (_, i) => `replicas-${i + 1}`);
// The replicas believe forwarding headers from each other (loopback's 127.0.0.1) and from no one else.
const trusted = ['--trusted-proxies', '127.0.0.1'];
// A client outside the trusted range, on this machine.
const outsider = '127.0.0.2';

let h: Harness;
let dir: string;
const replicas: Replica[] = [];
beforeAll(async () => {
  h = await startHarness({ flags: trusted, cluster: { fixture: { base: 'default', vms: VMS.map((name) => ({ namespace: NS, name, running: true })) } } });
  dir = await mkdtemp(join(tmpdir(), 'gatepass-replicas-'));
});
afterEach(async () => {
  await Promise.all(replicas.splice(0).map((r) => r.gateway.shutdown()));
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

async function replica(flags: string[] = []): Promise<Replica> {
  const started = await startReplica(h, [...trusted, '--janitor-enable=false', ...flags]);
  replicas.push(started);
  return started;
}

const serialToken = (name: string, extra: Parameters<Harness['consoleToken']>[0] = {}) => h.consoleToken({ name, urls: [consolePath(NS, name)], ...extra });

async function open(base: string, name: string, token: string, options: SerialViewerOptions & { query?: string } = {}): Promise<SerialViewer> {
  const viewer = new SerialViewer(`${base.replace('http', 'ws')}/k8s${consolePath(NS, name)}${options.query ?? '?preserveSession=true'}`, token, options);
  await viewer.ready;
  return viewer;
}

type LeaseObject = { spec: { holderIdentity?: string }; metadata: { annotations?: Record<string, string> } };
const lease = (name: string, kind: 'serial' | 'vnc' = 'serial') => h.cluster.objects.get('Lease', 'kube-gateway', consoleLeaseName(kind, NS, name)) as LeaseObject | undefined;
/** The claims of `token`, changed, signed again (with the cluster's key unless told). */
async function reSigned(token: string, change: Record<string, unknown>, options?: Parameters<Harness['sign']>[1]): Promise<string> {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  return h.sign({ ...claims, ...change }, options);
}
const hostOf = (url: string) => new URL(url).host;
const jsonLines = (logs: string[]) => logs.map((l) => JSON.parse(l) as Record<string, unknown>);
const audits = (logs: string[], kind: string, vm: string) => jsonLines(logs).filter((l) => l['audit'] === kind && l['vm'] === vm);

describe('serial viewers on two replicas', () => {
  it('share the one session of the replica holding the console: one connection to the VM, everyone sees everything', async () => {
    const other = await replica();
    const name = VMS[0]!;
    const here = await open(h.url, name, await serialToken(name));
    await here.shows('login: ');
    expect(lease(name)?.metadata.annotations?.['gatepass.io/serving-address']).toBe(hostOf(h.url));

    const there = await open(other.url, name, await serialToken(name));
    const watcherThere = await open(other.url, name, await serialToken(name, { restrictions: { viewOnly: true } }), { query: '' });
    await there.shows('login: ');
    await watcherThere.shows('login: ');
    there.type('r');
    for (const viewer of [here, there, watcherThere]) await viewer.shows('login: r');
    watcherThere.type('nothing');
    here.type('x');
    for (const viewer of [here, there, watcherThere]) await viewer.shows('login: rx');
    expect(h.cluster.serial.received(NS, name).toString('utf8')).toBe('rx');
    expect(h.cluster.serial.opened(NS, name)).toBe(1);

    // The relaying replica logs where the viewer went; the holder audits it, once.
    expect(jsonLines(other.logs).filter((l) => l['route'] === 'console' && l['status'] === 101).map((l) => l['forwardedTo'])).toEqual([
      lease(name)?.spec.holderIdentity, lease(name)?.spec.holderIdentity,
    ]);
    expect(audits(other.logs, 'console-opened', name)).toEqual([]);
    expect(audits(h.logs, 'console-opened', name)).toHaveLength(3);
    for (const viewer of [here, there, watcherThere]) viewer.socket.close();
  });

  it('when the holder goes, its viewers (relayed ones too) are told, and a reconnect through another replica takes the console over', async () => {
    const holder = await replica();
    const name = VMS[1]!;
    const token = await serialToken(name);
    const first = await open(holder.url, name, token);
    await first.shows('login: ');
    const relayed = await open(h.url, name, token);
    await relayed.shows('login: ');
    const held = lease(name)?.spec.holderIdentity;
    expect(lease(name)?.metadata.annotations?.['gatepass.io/serving-address']).toBe(hostOf(holder.url));

    await holder.gateway.shutdown();
    replicas.splice(replicas.indexOf(holder), 1);
    expect(await first.closes()).toEqual({ code: 1001, reason: 'the gateway is shutting down' });
    expect(await relayed.closes()).toEqual({ code: 1001, reason: 'the gateway is shutting down' });

    const again = await open(h.url, name, token);
    again.type('b');
    await again.shows('login: b');
    expect(lease(name)?.spec.holderIdentity).not.toBe(held);
    expect(lease(name)?.metadata.annotations?.['gatepass.io/serving-address']).toBe(hostOf(h.url));
    expect(h.cluster.serial.opened(NS, name)).toBe(2);
    again.socket.close();
  });

  it('a relayed viewer that takes over takes the console at its own replica; the holder’s viewers are told why', async () => {
    const other = await replica();
    const name = VMS[2]!;
    const token = await serialToken(name);
    const first = await open(h.url, name, token);
    await first.shows('login: ');
    const taker = await open(other.url, name, token, { query: '' });
    await taker.shows('login: ');
    expect((await first.closes()).reason).toMatch(/taken over by another viewer/);
    expect(lease(name)?.metadata.annotations?.['gatepass.io/serving-address']).toBe(hostOf(other.url));
    taker.socket.close();
  });
});

describe('VNC viewers on two replicas', () => {
  it('share the holder’s one upstream session: each gets a whole picture, and the relayed viewer’s typing reaches the VM', async () => {
    const other = await replica();
    const name = VMS[8]!;
    const vncUrl = (base: string) => `${base.replace('http', 'ws')}/k8s${vncPath(NS, name)}`;
    const here = await RfbViewer.open(vncUrl(h.url), await h.consoleToken({ namespace: NS, name }));
    const there = await RfbViewer.open(vncUrl(other.url), await h.consoleToken({ namespace: NS, name }));
    for (const v of [here, there]) {
      const before = v.updates.length;
      v.request(false);
      const update = await v.nextUpdate(before);
      expect(update.rectangles.reduce((sum, r) => sum + r.width * r.height, 0)).toBeGreaterThanOrEqual(v.width * v.height);
    }
    expect(h.upstream.filter((line) => line.startsWith(`websocket ${vncPath(NS, name)}`))).toHaveLength(1);
    expect(lease(name, 'vnc')?.metadata.annotations?.['gatepass.io/serving-address']).toBe(hostOf(h.url));

    const vm = h.cluster.vnc.builtinServer(NS, name)!;
    const before = vm.events.length;
    there.send(Buffer.concat([encodeKeyEvent(true, 0x71), encodeKeyEvent(false, 0x71)]));
    await waitFor(() => vm.events.length - before >= 2, 'the relayed viewer’s key at the VM');
    expect(vm.events.slice(before)).toEqual([{ type: 'key', down: true, keysym: 0x71 }, { type: 'key', down: false, keysym: 0x71 }]);
    await Promise.all([here.close(), there.close()]);
  });
});

describe('presence across replicas', () => {
  it('a relayed viewer that asks is told who is on the console by the holder, through the replica it reached', async () => {
    const other = await replica();
    const name = VMS[7]!;
    const here = await open(h.url, name, await serialToken(name, { restrictions: { label: 'Here' } }), { query: '?preserveSession=true&presence=true' });
    await here.shows('login: ');
    const there = await open(other.url, name, await serialToken(name, { restrictions: { label: 'There', viewOnly: true } }), { query: '?preserveSession=true&presence=true' });
    await there.shows('login: ');
    const latest = () => parsePresenceMessage(there.textFrames.at(-1) ?? '');
    await waitFor(() => latest() !== undefined, 'a presence message on the relayed viewer');
    expect(latest()!.viewers.map((v) => [v.name, v.control]).sort()).toEqual([['Here', true], ['There', false]]);
    await waitFor(() => parsePresenceMessage(here.textFrames.at(-1) ?? '')?.viewers.length === 2, 'the holder’s viewer told of the relayed one');
    expect(there.text()).not.toContain('gatepass');
    here.socket.close();
    there.socket.close();
  });
});

describe('forwarding adds no trust', () => {
  it('a client outside --trusted-proxies cannot choose the address the holder audits, directly or through another replica', async () => {
    const other = await replica();
    const name = VMS[3]!;
    const spoofed = { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.9' };
    const direct = await open(h.url, name, await serialToken(name, { id: 'spoof-direct' }), { localAddress: outsider, headers: { ...spoofed, [FORWARDED_BY_HEADER]: 'replica-x' } });
    await direct.shows('login: ');
    const relayed = await open(other.url, name, await serialToken(name, { id: 'spoof-relayed' }), { localAddress: outsider, headers: spoofed });
    await relayed.shows('login: ');
    const opened = audits(h.logs, 'console-opened', name);
    expect(opened.map((l) => [l['linkId'], l['client']])).toEqual([['spoof-direct', outsider], ['spoof-relayed', outsider]]);
    direct.socket.close();
    relayed.socket.close();
  });

  it('a request that says it was forwarded is never forwarded again: the replica that does not hold the console refuses it', async () => {
    const other = await replica();
    const name = VMS[4]!;
    const holderViewer = await open(h.url, name, await serialToken(name));
    await holderViewer.shows('login: ');
    const looping = await open(other.url, name, await serialToken(name, { id: 'loop' }), { localAddress: outsider, headers: { [FORWARDED_BY_HEADER]: 'replica-x' } });
    expect(await looping.closes()).toEqual({ code: 4409, reason: 'someone else is using this console' });
    expect(audits(other.logs, 'console-refused', name).map((l) => [l['linkId'], l['code'], l['client']])).toEqual([['loop', 4409, outsider]]);
    holderViewer.socket.close();
  });

  it('the holder checks the token again: a link a careless replica would accept is refused where the console is', async () => {
    // A replica that trusts a stranger's key, and one that accepts links long expired: the holder trusts neither.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(dir, 'stranger.pem');
    await writeFile(keyFile, stranger.publicKey.export({ type: 'spki', format: 'pem' }));
    const careless = await replica(['--jwt-public-key-file', keyFile]);
    const lenient = await replica(['--clock-skew', '2h']);
    const name = VMS[5]!;
    const holderViewer = await open(h.url, name, await serialToken(name));
    await holderViewer.shows('login: ');

    const strangerKey = importPrivateKey(stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const forged = await reSigned(await serialToken(name), {}, { key: strangerKey.key, kid: strangerKey.kid });
    const viaCareless = await open(careless.url, name, forged);
    expect((await viaCareless.closes()).code).toBe(4401);
    // It let the link through to the holder, which refused it.
    expect(audits(careless.logs, 'console-refused', name)).toEqual([]);
    expect(jsonLines(careless.logs).filter((l) => l['route'] === 'console').map((l) => l['forwardedTo'])).toEqual([lease(name)?.spec.holderIdentity]);

    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = await reSigned(await serialToken(name), { nbf: hourAgo - 600, iat: hourAgo - 600, exp: hourAgo });
    const viaLenient = await open(lenient.url, name, expired);
    expect(await viaLenient.closes()).toMatchObject({ code: 4410 });
    expect(jsonLines(lenient.logs).filter((l) => l['route'] === 'console').map((l) => l['forwardedTo'])).toEqual([lease(name)?.spec.holderIdentity]);
    expect(audits(h.logs, 'console-refused', name).map((l) => l['code'])).toEqual([4401, 4410]);
    expect(h.cluster.serial.opened(NS, name)).toBe(1);
    await holderViewer.shows('login: ');
    expect(holderViewer.closed).toBeUndefined();
    holderViewer.socket.close();
  });
});

describe('a holder that cannot be reached', () => {
  it('closes the viewer readably (Try Again Later) while its Lease is live, and is replaced once the Lease is stale', async () => {
    const name = VMS[6]!;
    // A Lease as a replica that vanished left it: live, pointing at an address nobody serves.
    const now = new Date();
    h.cluster.objects.put({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: consoleLeaseName('serial', NS, name), namespace: 'kube-gateway', annotations: { 'gatepass.io/serving-address': '127.0.0.1:1' } },
      spec: { holderIdentity: 'gone-replica', leaseDurationSeconds: 2, acquireTime: now.toISOString(), renewTime: now.toISOString() },
    } as never);
    const refused = await open(h.url, name, await serialToken(name));
    expect(await refused.closes()).toEqual({ code: 1013, reason: 'the gateway replica holding this console cannot be reached; try again' });
    await waitFor(async () => {
      const viewer = await open(h.url, name, await serialToken(name));
      await waitFor(() => viewer.closed !== undefined || viewer.text().includes('login: '), 'an answer');
      viewer.socket.close();
      return viewer.closed === undefined;
    }, 'the stale Lease to be taken', 8000);
    expect(h.cluster.serial.opened(NS, name)).toBe(1);
  });
});
