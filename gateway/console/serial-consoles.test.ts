// Serial consoles between real sockets: `ws` clients as viewers, the gateway's
// console registry with the serial engine on an HTTP server, a `ws` server as the VM's serial console,
// and an in-memory Lease API that behaves like the API server's (versions,
// conflicts, deletes with a precondition).
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startRegistryServer } from '../../test/support/registry-server.ts';
import { claimSpec, ConsoleLeaseError, type ConsoleLeaseApi, type StoredConsoleLease } from './console-lease.ts';
import { serialEngine } from './serial-consoles.ts';
import { parsePresenceMessage } from '../../shared/console-presence.ts';
import { websocketAccept } from './upstream-console.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(test: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A serial console as KubeVirt has it: one connection per VMI (the newest wins), binary frames only. */
async function serialVm() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('plain.kubevirt.io') ? 'plain.kubevirt.io' : false) });
  await once(server, 'listening');
  cleanups.push(() => server.close());
  const received: Buffer[] = [];
  let current: WebSocket | undefined;
  let opened = 0;
  server.on('connection', (ws, req) => {
    current?.terminate();
    current = ws;
    opened += 1;
    paths.push(req.url ?? '');
    ws.on('message', (data, isBinary) => {
      if (isBinary) received.push(data as Buffer);
    });
    ws.send(Buffer.from('\r\nweb-1 login: '));
  });
  const paths: string[] = [];
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    get opened() {
      return opened;
    },
    get open() {
      return [...server.clients].filter((c) => c.readyState === WebSocket.OPEN).length;
    },
    received: () => Buffer.concat(received).toString(),
    write: (text: string | Buffer) => current?.send(Buffer.from(text)),
    current: () => current,
  };
}

/** A Lease API with the API server's optimistic concurrency. */
function memoryLeases(identity: string) {
  let stored: StoredConsoleLease | undefined;
  let version = 0;
  let failing: number | undefined;
  const put = (spec: StoredConsoleLease['spec']): StoredConsoleLease => (stored = { spec, resourceVersion: String(++version) });
  const api: ConsoleLeaseApi = {
    async read() {
      if (failing) throw new ConsoleLeaseError(failing);
      return stored && structuredClone(stored);
    },
    async take(_ns, _name, current) {
      if (failing) throw new ConsoleLeaseError(failing);
      if ((current?.resourceVersion ?? undefined) !== stored?.resourceVersion) return 'conflict';
      return put(claimSpec(identity, Date.now(), 30_000, current?.spec));
    },
    async renew(_ns, _name, held) {
      if (failing) throw new ConsoleLeaseError(failing);
      if (held.resourceVersion !== stored?.resourceVersion) return 'lost';
      return put(claimSpec(identity, Date.now(), 30_000, held.spec));
    },
    async release(_ns, _name, held) {
      if (held.resourceVersion === stored?.resourceVersion) stored = undefined;
    },
  };
  return {
    api,
    get stored() {
      return stored;
    },
    /** Another replica holds the console now. */
    heldBy: (other: string) => put(claimSpec(other, Date.now(), 30_000)),
    fail: (status: number | undefined) => (failing = status),
  };
}

interface Options {
  pingMs?: number;
  maxViewerBacklog?: number;
  leaseDurationMs?: number;
}

async function gateway(vm: { port: number }, leases: ReturnType<typeof memoryLeases>, options: Options = {}) {
  const dropped: number[] = [];
  const engine = serialEngine({ pingMs: options.pingMs ?? 60_000, ...(options.maxViewerBacklog ? { maxViewerBacklog: options.maxViewerBacklog } : {}) });
  const server = await startRegistryServer(vm.port, 'serial', engine, leases.api, {
    ...(options.pingMs ? { pingMs: options.pingMs } : {}),
    ...(options.leaseDurationMs ? { leaseDurationMs: options.leaseDurationMs } : {}),
    opened: (outcome) => outcome.viewer && void outcome.relay!.ended.then(() => dropped.push(outcome.viewer!.dropped)),
  });
  cleanups.push(server.close);
  return { ...server, dropped };
}

/** A viewer and everything it has received so far, as text. */
async function viewer(url: string, query = 'preserveSession=true') {
  const ws = new WebSocket(`${url}?${query}`, ['plain.kubevirt.io']);
  cleanups.push(() => ws.terminate());
  const chunks: Buffer[] = [];
  const texts: string[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (data, isBinary) => (isBinary ? chunks.push(data as Buffer) : texts.push((data as Buffer).toString())));
  ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    text: () => Buffer.concat(chunks).toString(),
    presence: () => texts.map((text) => parsePresenceMessage(text)),
    get closed() {
      return closed;
    },
    send: (text: string) => ws.send(Buffer.from(text)),
  };
}

describe('serial consoles', () => {
  it('shares one upstream among viewers: a joiner sees the latest output first, and everyone sees what comes next', async () => {
    const vm = await serialVm();
    const leases = memoryLeases('replica-a');
    const gw = await gateway(vm, leases);
    const first = await viewer(gw.url);
    await until(() => first.text().includes('login: '), 'the prompt');
    first.send('root\r');
    await until(() => vm.received() === 'root\r', 'the typed line at the VM');
    vm.write('\r\nroot\r\nweb-1 login: ');

    const late = await viewer(gw.url);
    await until(() => late.text().includes('root\r\nweb-1 login: '), 'the ring buffer at the late viewer');
    expect(late.text()).toBe(first.text());
    vm.write('new output');
    await until(() => first.text().endsWith('new output') && late.text().endsWith('new output'), 'new output at both viewers');
    expect(vm.opened).toBe(1);
    expect(vm.paths).toEqual(['/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/console']);
    expect(gw.proxy.active).toBe(2);
    expect(leases.stored?.spec.holderIdentity).toBe('replica-a');
  });

  it('sends the input of full-control viewers up in order, and never a view-only viewer’s bytes or a text frame', async () => {
    const vm = await serialVm();
    const gw = await gateway(vm, memoryLeases('replica-a'));
    const typist = await viewer(gw.url);
    const watcher = await viewer(gw.url, 'viewOnly=true');
    typist.ws.send('as text');
    watcher.send('rm -rf /\r');
    typist.send('a');
    typist.send('b');
    watcher.send('x');
    typist.send('c');
    await until(() => vm.received() === 'abc', 'the typist’s bytes at the VM');
    await sleep(50);
    expect(vm.received()).toBe('abc');
    watcher.ws.close();
    typist.ws.close();
    await until(() => gw.dropped.length === 2, 'both closes');
    expect(gw.dropped.sort()).toEqual([0, Buffer.byteLength('rm -rf /\rx')]);
    expect(gw.bytes.fromViewers).toBe(3);
  });

  it('tells viewers that asked who is on the console, in text frames beside the output, and nothing to those that did not', async () => {
    const vm = await serialVm();
    const gw = await gateway(vm, memoryLeases('replica-a'));
    const alice = await viewer(gw.url, 'preserveSession=true&presence=true&name=alice');
    await until(() => alice.presence().length === 1, 'alice’s first presence message');
    const quiet = await viewer(gw.url, 'preserveSession=true&name=quiet');
    const bob = await viewer(gw.url, 'viewOnly=true&presence=true&name=bob');
    await until(() => alice.presence().length === 3 && bob.presence().length === 1, 'the joins');
    expect(bob.presence()[0]!.viewers.map((v) => [v.name, v.control])).toEqual([['alice', true], ['quiet', true], ['bob', false]]);
    expect(bob.presence()[0]!.you).toBe(bob.presence()[0]!.viewers[2]!.id);
    expect(alice.presence().map((m) => m?.change && [m.change.kind, m.change.viewer.name])).toEqual([undefined, ['joined', 'quiet'], ['joined', 'bob']]);
    quiet.ws.close();
    await until(() => bob.presence().length === 2, 'the leave at bob');
    expect(bob.presence()[1]!.change).toMatchObject({ kind: 'left', viewer: { name: 'quiet' } });
    expect(bob.presence()[1]!.viewers.map((v) => v.name)).toEqual(['alice', 'bob']);
    expect(quiet.presence()).toEqual([]);
    expect(bob.text()).toBe(alice.text());
  });

  it('ends a session whose Lease another replica took, its viewers told, rather than let KubeVirt cut them off unannounced', async () => {
    const vm = await serialVm();
    const leases = memoryLeases('replica-a');
    const gw = await gateway(vm, leases, { leaseDurationMs: 300 });
    const one = await viewer(gw.url);
    leases.heldBy('replica-b');
    await until(() => one.closed !== undefined, 'the viewer closed');
    expect(one.closed).toEqual({ code: 4409, reason: 'another gateway replica took this console; reconnect to join it' });
    await until(() => vm.open === 0, 'the upstream closed');
    expect(leases.stored?.spec.holderIdentity).toBe('replica-b');
  });

  it('ends a session whose Lease could not be renewed for its whole duration', async () => {
    const vm = await serialVm();
    const leases = memoryLeases('replica-a');
    const gw = await gateway(vm, leases, { leaseDurationMs: 300 });
    const one = await viewer(gw.url);
    leases.fail(500);
    await until(() => one.closed !== undefined, 'the viewer closed');
    expect(one.closed).toEqual({ code: 1013, reason: 'the gateway could not keep this console’s Lease; try again' });
    await until(() => vm.open === 0, 'the upstream closed');
  });

  it('closes the upstream and gives the Lease back when the last viewer leaves', async () => {
    const vm = await serialVm();
    const leases = memoryLeases('replica-a');
    const gw = await gateway(vm, leases);
    const one = await viewer(gw.url);
    const two = await viewer(gw.url);
    one.ws.close();
    await until(() => one.closed !== undefined, 'the first close');
    await sleep(50);
    expect(vm.open).toBe(1);
    two.ws.close();
    await until(() => vm.open === 0 && leases.stored === undefined, 'the upstream closed and the Lease deleted');
    expect(gw.consoles.sessionCount).toBe(0);
  });

  it('lets a full-control request without preserveSession take over: the others are told, the upstream stays', async () => {
    const vm = await serialVm();
    const gw = await gateway(vm, memoryLeases('replica-a'));
    const before = await viewer(gw.url);
    const watcher = await viewer(gw.url, 'viewOnly=true');
    const taker = await viewer(gw.url, '');
    await until(() => before.closed !== undefined && watcher.closed !== undefined, 'the others closed');
    expect(before.closed).toEqual({ code: 4409, reason: 'someone took over this console' });
    expect(watcher.closed).toEqual({ code: 4409, reason: 'someone took over this console' });
    taker.send('x');
    await until(() => vm.received() === 'x', 'the taker’s input');
    expect(vm.opened).toBe(1);
    expect(taker.closed).toBeUndefined();
  });

  it('refuses a joiner while another replica holds the console, and lets a taker take it', async () => {
    const vm = await serialVm();
    const leases = memoryLeases('replica-a');
    leases.heldBy('replica-b');
    const gw = await gateway(vm, leases);
    for (const query of ['preserveSession=true', 'viewOnly=true']) {
      const refused = await viewer(gw.url, query);
      await until(() => refused.closed !== undefined, 'the refusal');
      expect(refused.closed).toEqual({ code: 4409, reason: 'someone else is using this console' });
    }
    expect(vm.opened).toBe(0);
    const taker = await viewer(gw.url, '');
    await until(() => taker.text().includes('login: '), 'the prompt');
    expect(leases.stored?.spec.holderIdentity).toBe('replica-a');
    expect(leases.stored?.spec.leaseTransitions).toBe(1);
  });

  it('says so, and opens nothing, when the Lease API fails', async () => {
    const vm = await serialVm();
    const leases = memoryLeases('replica-a');
    leases.fail(403);
    const gw = await gateway(vm, leases);
    const refused = await viewer(gw.url, '');
    await until(() => refused.closed !== undefined, 'the refusal');
    expect(refused.closed?.code).toBe(1011);
    expect(refused.closed?.reason).toMatch(/cannot check who else uses this serial console \(.*HTTP 403\)/);
    expect(vm.opened).toBe(0);
  });

  it('tells every viewer when the VM side goes away, and frees the console', async () => {
    const vm = await serialVm();
    const leases = memoryLeases('replica-a');
    const gw = await gateway(vm, leases);
    const one = await viewer(gw.url);
    const two = await viewer(gw.url, 'viewOnly=true');
    vm.current()!.terminate();
    await until(() => one.closed !== undefined && two.closed !== undefined, 'both closed');
    expect(one.closed?.code).toBe(4409);
    expect(one.closed?.reason).toMatch(/taken over by another viewer, or the cluster dropped it/);
    expect(two.closed).toEqual(one.closed);
    await until(() => leases.stored === undefined && gw.consoles.sessionCount === 0, 'the Lease released');
  });

  it('closes each viewer at its own link’s expiry with 4410, leaving the others', async () => {
    const vm = await serialVm();
    const gw = await gateway(vm, memoryLeases('replica-a'));
    const lasting = await viewer(gw.url);
    const short = await viewer(gw.url, 'preserveSession=true&expiresInMs=300');
    await until(() => short.closed !== undefined, 'the expiry', 3000);
    expect(short.closed).toEqual({ code: 4410, reason: 'the link expired' });
    vm.write('still here');
    await until(() => lasting.text().endsWith('still here'), 'output at the remaining viewer');
    expect(lasting.closed).toBeUndefined();
    expect(vm.opened).toBe(1);
  });

  it('closes a viewer that falls too far behind without holding back the others', async () => {
    const vm = await serialVm();
    const gw = await gateway(vm, memoryLeases('replica-a'), { maxViewerBacklog: 256 * 1024 });
    const reader = await viewer(gw.url);
    // A viewer that completes the handshake and then never reads.
    const stalled = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
    cleanups.push(() => stalled.destroy());
    await once(stalled, 'connect');
    stalled.write('GET /?preserveSession=true HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: plain.kubevirt.io\r\n\r\n');
    await once(stalled, 'data');
    stalled.pause();
    await until(() => gw.proxy.active === 2, 'both viewers');
    // Output in bursts a reading viewer keeps up with, until the stalled one's socket buffers are full.
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let written = 0;
    while (gw.proxy.active === 2 && written < 64 * 1024 * 1024) {
      for (let i = 0; i < 4; i++) vm.write(chunk);
      written += 4 * chunk.length;
      await until(() => reader.text().length >= written, 'the reading viewer to keep up', 10_000);
    }
    expect(gw.proxy.active).toBe(1);
    expect(reader.closed).toBeUndefined();
    expect(reader.text().length).toBe(written + '\r\nweb-1 login: '.length);
  });
});

describe('serial console pings', () => {
  it('keeps an idle console open past the silence a proxy drops, and drops a viewer that stops answering', async () => {
    const vm = await serialVm();
    const gw = await gateway(vm, memoryLeases('replica-a'), { pingMs: 100 });
    const answering = await viewer(gw.url);
    // `ws` answers pings by itself; a raw socket that completed the handshake does not.
    const mute = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
    cleanups.push(() => mute.destroy());
    await once(mute, 'connect');
    mute.write('GET /?preserveSession=true HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: plain.kubevirt.io\r\n\r\n');
    await until(() => gw.proxy.active === 2, 'both viewers');
    const pings = { atVm: 0 };
    vm.current()!.on('ping', () => (pings.atVm += 1));
    await until(() => gw.proxy.active === 1, 'the mute viewer dropped', 2000);
    await sleep(600);
    expect(answering.closed).toBeUndefined();
    expect(pings.atVm).toBeGreaterThanOrEqual(4);
    vm.write('awake');
    await until(() => answering.text().endsWith('awake'), 'output after the silence');
  });
});

describe('serial console flow control', () => {
  /** A VM side that completes the handshake and then reads only when told: what a congested API server looks like. */
  async function stalledVm() {
    let socket: net.Socket | undefined;
    let pending = Buffer.alloc(0);
    const payload: Buffer[] = [];
    const server = net.createServer((s) => {
      socket = s;
      let head = Buffer.alloc(0);
      const onHead = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        s.removeListener('data', onHead);
        const key = /sec-websocket-key: (\S+)/i.exec(head.toString('latin1'))?.[1] ?? '';
        s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: plain.kubevirt.io\r\n\r\n`);
        s.pause();
        s.on('data', (data: Buffer) => {
          pending = Buffer.concat([pending, data]);
          // Masked frames from the gateway: unmask each whole one.
          for (;;) {
            if (pending.length < 2) return;
            const short = pending[1]! & 0x7f;
            const at = short === 126 ? 4 : short === 127 ? 10 : 2;
            if (pending.length < at + 4) return;
            const length = short === 126 ? pending.readUInt16BE(2) : short === 127 ? Number(pending.readBigUInt64BE(2)) : short;
            if (pending.length < at + 4 + length) return;
            const mask = pending.subarray(at, at + 4);
            const body = Buffer.from(pending.subarray(at + 4, at + 4 + length));
            for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
            if ((pending[0]! & 0x0f) === 0x2) payload.push(body);
            pending = pending.subarray(at + 4 + length);
          }
        });
      };
      s.on('data', onHead);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      socket?.destroy();
      server.close();
    });
    return { port: (server.address() as AddressInfo).port, resume: () => socket?.resume(), received: () => Buffer.concat(payload) };
  }

  it('stops reading viewers while the API server is not taking input, and loses nothing when it takes it again', async () => {
    const vm = await stalledVm();
    const gw = await gateway(vm, memoryLeases('replica-a'));
    const typist = await viewer(gw.url);
    const sent: Buffer[] = [];
    for (let i = 0; i < 256; i++) {
      const chunk = Buffer.alloc(64 * 1024, i & 0xff);
      sent.push(chunk);
      typist.ws.send(chunk);
    }
    // The gateway stopped reading: the viewer's own socket holds what it could not send.
    await until(() => typist.ws.bufferedAmount > 4 * 1024 * 1024, 'input backing up at the viewer', 5000);
    // Long enough for a gateway that kept reading to have taken all of it (a few hundred ms here).
    await sleep(800);
    expect(typist.ws.bufferedAmount).toBeGreaterThan(4 * 1024 * 1024);
    vm.resume();
    const expected = Buffer.concat(sent);
    await until(() => vm.received().length === expected.length, 'every byte at the VM', 10_000);
    expect(vm.received().equals(expected)).toBe(true);
    expect(typist.closed).toBeUndefined();
  });
});
