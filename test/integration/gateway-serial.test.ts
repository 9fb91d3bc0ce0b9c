// Serial console links through real gateways to the stand-in's serial
// console (a small login prompt that echoes and records what it receives):
// opening and typing, the link's rules (expiry, revocation, view-only, limited
// uses), watchers on one replica sharing one console, replicas that do not
// push each other's viewers off unasked, and pings that outlast an idle proxy.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { counterName } from '../../gateway/use-counter.ts';
import { consoleLeaseName } from '../../gateway/console/console-lease.ts';
import { rawRequest } from '../support/raw-http.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { startReplica, type Replica } from '../support/gateway-replica.ts';
import { SerialViewer } from '../support/serial-viewer.ts';

const NS = 'team-a';
// One VM per test: a serial console is one session per VMI, so tests sharing one would see each other.
const VMS = Array.from({ length: 14 }, (_, i) => `serial-${i + 1}`);
const pingMs = 150;

let h: Harness;
let replica: Replica | undefined;
beforeAll(async () => {
  h = await startHarness({
    cluster: { fixture: { base: 'default', vms: VMS.map((name) => ({ namespace: NS, name, running: true })) } },
    tuning: { pingMs },
  });
});
afterAll(async () => {
  await replica?.gateway.shutdown();
  await h?.close();
});

const ws = (base: string) => base.replace('http', 'ws');
const serialToken = (name: string, extra: Parameters<Harness['consoleToken']>[0] = {}) => h.consoleToken({ name, urls: [consolePath(NS, name)], ...extra });

async function open(name: string, token: string, options: { base?: string; query?: string; path?: string; session?: string } = {}): Promise<SerialViewer> {
  const url = `${ws(options.base ?? h.url)}/k8s${options.path ?? consolePath(NS, name)}${options.query ?? '?preserveSession=true'}`;
  // The app's session id, as it sends it: a reconnect (or a second window) of one session is one use.
  const viewer = new SerialViewer(url, token, options.session ? { headers: { cookie: `gatepass-session=${options.session}` } } : {});
  await viewer.ready;
  return viewer;
}

const lease = (name: string) => h.cluster.objects.get('Lease', 'kube-gateway', consoleLeaseName('serial', NS, name)) as { spec: { holderIdentity?: string }; metadata: { annotations?: Record<string, string> } } | undefined;
const received = (name: string) => h.cluster.serial.received(NS, name).toString('utf8');

describe('a serial link', () => {
  it('opens the login prompt, and what is typed reaches the VM and its answer comes back', async () => {
    const name = VMS[0]!;
    const viewer = await open(name, await serialToken(name));
    await viewer.shows(`${name} login: `, 'the prompt');
    viewer.type('root\r');
    await viewer.shows(`root\r\nroot\r\n${name} login: `, 'the echo and the answer');
    expect(received(name)).toBe('root\r');
    // preserveSession is the gateway's rule: KubeVirt's serial endpoint is asked with no query.
    expect(h.cluster.serial.requestUrls(NS, name)).toEqual([consolePath(NS, name)]);
    expect(lease(name)?.spec.holderIdentity).toBeTruthy();
    viewer.socket.close();
    await waitFor(() => h.cluster.serial.connections(NS, name) === 0 && lease(name) === undefined, 'the console closed and its Lease deleted');
  });

  it('closes with 4410 when the link expires while it is open', async () => {
    const name = VMS[1]!;
    const now = Math.floor(Date.now() / 1000);
    const token = await h.sign({ URLs: [consolePath(NS, name)], verbs: ['get'], nbf: now - 60, iat: now - 60, exp: now + 2, id: 'serial-expiring' });
    const viewer = await open(name, token);
    await viewer.shows('login: ');
    expect(await viewer.closes()).toEqual({ code: 4410, reason: 'the link expired' });
  });

  it('closes with 4401 when its link is revoked while it is open', async () => {
    const name = VMS[2]!;
    const viewer = await open(name, await serialToken(name, { id: 'serial-revoked' }));
    await viewer.shows('login: ');
    const list = h.cluster.objects.get('ConfigMap', 'kube-gateway', 'gatepass-revoked')!;
    h.cluster.objects.put({ ...list, data: { ...(list as { data?: Record<string, string> }).data, 'serial-revoked': new Date(Date.now() + 3_600_000).toISOString() } } as never);
    expect(await viewer.closes()).toEqual({ code: 4401, reason: 'this link has been revoked' });
  });

  it('view-only: the console is shown and not one byte reaches the VM', async () => {
    const name = VMS[3]!;
    const viewer = await open(name, await serialToken(name, { restrictions: { viewOnly: true } }), { query: '' });
    await viewer.shows('login: ');
    viewer.type('root\r');
    viewer.type('\u0003\u0004');
    h.cluster.serial.write(NS, name, 'still watching');
    await viewer.shows('still watching');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.cluster.serial.received(NS, name)).toEqual(Buffer.alloc(0));
    viewer.socket.close();
    await waitFor(() => h.logs.some((l) => l.includes('"console-closed"') && l.includes(`"vm":"${name}"`)), 'the close audit line');
    const closedLine = JSON.parse(h.logs.find((l) => l.includes('"console-closed"') && l.includes(`"vm":"${name}"`))!) as Record<string, unknown>;
    expect(closedLine).toMatchObject({ console: 'serial', viewOnly: true, inputDropped: Buffer.byteLength('root\r\u0003\u0004') });
  });

  it('a late watcher on the same gateway first sees the screen so far, then both see new output, over one connection to the VM', async () => {
    const name = VMS[4]!;
    const token = await serialToken(name);
    const first = await open(name, token);
    first.type('admin\r');
    await first.shows(`admin\r\n${name} login: `);
    const late = await open(name, await serialToken(name, { restrictions: { viewOnly: true } }));
    await late.shows(`admin\r\n${name} login: `, 'the ring buffer');
    h.cluster.serial.write(NS, name, '\r\nbroadcast message');
    await first.shows('broadcast message');
    await late.shows('broadcast message');
    expect(h.cluster.serial.opened(NS, name)).toBe(1);
    first.type('x');
    await late.shows('broadcast messagex', 'the typist’s echo at the watcher');
  });

  it('a second full-control viewer without preserveSession takes over; the first is told why', async () => {
    const name = VMS[5]!;
    const token = await serialToken(name);
    const first = await open(name, token);
    await first.shows('login: ');
    const taker = await open(name, token, { query: '' });
    expect(await first.closes()).toEqual({ code: 4409, reason: 'someone took over this console' });
    taker.type('y');
    await taker.shows('login: y');
    expect(received(name)).toBe('y');
  });
});

describe('serial consoles across replicas', () => {
  it('a viewer on another replica joins through it unless it takes over, and then every viewer of the first session is told', async () => {
    replica = await startReplica(h);
    const name = VMS[6]!;
    const token = await serialToken(name);
    const first = await open(name, token);
    const watcher = await open(name, await serialToken(name, { restrictions: { viewOnly: true } }));
    await first.shows('login: ');
    await watcher.shows('login: ');

    // Both are relayed to the replica holding the console, and join its one session there.
    const joiner = await open(name, token, { base: replica.url });
    const viewOnlyThere = await open(name, await serialToken(name, { restrictions: { viewOnly: true } }), { base: replica.url, query: '' });
    await joiner.shows('login: ');
    await viewOnlyThere.shows('login: ');
    expect(h.cluster.serial.opened(NS, name)).toBe(1);
    const holder = lease(name)?.spec.holderIdentity;

    const taker = await open(name, token, { base: replica.url, query: '' });
    await taker.shows('login: ');
    for (const viewer of [first, watcher, joiner, viewOnlyThere]) {
      const end = await viewer.closes();
      expect(end.code).toBe(4409);
      expect(end.reason).toMatch(/taken over by another viewer/);
    }
    expect(lease(name)?.spec.holderIdentity).not.toBe(holder);
    taker.type('z');
    await taker.shows('login: z');
    expect(h.cluster.serial.connections(NS, name)).toBe(1);

    // A replica that shuts down tells its viewers and gives the console's Lease back at once.
    await replica.gateway.shutdown();
    replica = undefined;
    expect(await taker.closes()).toEqual({ code: 1001, reason: 'the gateway is shutting down' });
    expect(lease(name)).toBeUndefined();
  });
});

describe('pings', () => {
  /** A TCP proxy in front of the gateway that drops a connection after `idleMs` without a byte either way, as load balancers do. */
  async function idleDroppingProxy(idleMs: number): Promise<{ url: string; dropped: () => number }> {
    const target = new URL(h.url);
    let dropped = 0;
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      const cut = (): void => {
        dropped += 1;
        client.destroy();
        upstream.destroy();
      };
      let timer = setTimeout(cut, idleMs);
      const touch = (): void => {
        clearTimeout(timer);
        timer = setTimeout(cut, idleMs);
      };
      client.on('data', touch);
      upstream.on('data', touch);
      client.pipe(upstream).on('error', () => undefined);
      upstream.pipe(client).on('error', () => undefined);
      client.on('close', () => clearTimeout(timer));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    afterAll(() => void server.close());
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dropped: () => dropped };
  }

  it('keep an idle serial console open well past the silence a proxy drops connections after', async () => {
    const name = VMS[7]!;
    const proxy = await idleDroppingProxy(pingMs * 4);
    const viewer = await open(name, await serialToken(name), { base: proxy.url });
    await viewer.shows('login: ');
    await new Promise((resolve) => setTimeout(resolve, pingMs * 15));
    expect(viewer.closed).toBeUndefined();
    expect(proxy.dropped()).toBe(0);
    viewer.type('late\r');
    await viewer.shows(`late\r\n${name} login: `);
  });
});

describe('what a serial link cannot do', () => {
  it('a VNC-only link cannot open the serial console of the same VM, nor a serial link its VNC console', async () => {
    const name = VMS[8]!;
    const vncOnly = await h.consoleToken({ name, urls: [vncPath(NS, name)] });
    const toSerial = await open(name, vncOnly);
    expect((await toSerial.closes()).code).toBe(4403);
    const serialOnly = await serialToken(name);
    const toVnc = await open(name, serialOnly, { path: vncPath(NS, name) });
    expect((await toVnc.closes()).code).toBe(4403);
    expect(h.cluster.serial.opened(NS, name)).toBe(0);
  });

  it.each([
    ['the VNC console', vncPath(NS, 'serial-10')],
    ['port forwarding', `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/serial-10/portforward/22`],
    ['USB redirection', `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/serial-10/usbredir`],
    ['a pod exec', `/api/v1/namespaces/${NS}/pods/virt-launcher-serial-10/exec?command=sh`],
    ['the console with a suffix', `${consolePath(NS, 'serial-10')}/x`],
  ])('a serial link cannot reach %s, as a websocket or a request', async (_what, path) => {
    const token = await serialToken('serial-10');
    const [pathOnly, query = ''] = path.split('?');
    const viewer = await open('serial-10', token, { path: pathOnly!, query: query ? `?${query}` : '' });
    expect((await viewer.closes()).code).toBe(4403);
    const res = await rawRequest(h.url, `/k8s${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
  });

  it('text frames from the client never reach the VM; binary ones do', async () => {
    const name = VMS[10]!;
    const viewer = await open(name, await serialToken(name));
    await viewer.shows('login: ');
    viewer.socket.send('text frame\r');
    viewer.type('b');
    await viewer.shows('login: b');
    expect(received(name)).toBe('b');
  });

  it('forwards no query to the VM’s serial endpoint, and refuses one it does not know', async () => {
    const name = VMS[11]!;
    const token = await serialToken(name);
    const refused = await open(name, token, { query: '?preserveSession=true&preserve%53ession=false' });
    expect((await refused.closes()).code).toBe(4403);
    const unknown = await open(name, token, { query: '?command=sh' });
    expect((await unknown.closes()).code).toBe(4403);
    expect(h.cluster.serial.opened(NS, name)).toBe(0);
  });

  it('a limited-use link is counted once per session: a watcher joining from another session needs a use of its own', async () => {
    const name = VMS[12]!;
    const token = await serialToken(name, { id: 'serial-once', restrictions: { maxUses: 1 } });
    const session = randomBytes(16).toString('base64url');
    const first = await open(name, token, { session });
    await first.shows('login: ');
    const sameSession = await open(name, token, { session });
    await sameSession.shows('login: ');
    const second = await open(name, token, { session: randomBytes(16).toString('base64url') });
    expect(await second.closes()).toEqual({ code: 4403, reason: expect.stringMatching(/used up/) });
    const noSession = await open(name, token);
    expect((await noSession.closes()).code).toBe(4403);
    const counter = h.cluster.objects.get('ConfigMap', 'kube-gateway', counterName('serial-once')) as { data?: Record<string, string> } | undefined;
    expect(counter?.data?.['uses']).toBe('1');
    expect(first.closed).toBeUndefined();
    expect(sameSession.closed).toBeUndefined();
  });
});
