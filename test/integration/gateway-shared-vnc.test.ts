// Several viewers on one VM's VNC console through the gateway, against the
// stand-in's built-in RFB server (which records every input event and every
// SetEncodings) and, where it is installed, QEMU: one upstream session, each
// viewer's handshake answered by the gateway, joiners starting at a whole
// picture, input only from full-control links, presence for those who ask.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { encodeKeyEvent, encodePointerEvent, PIXEL_FORMAT_RGB888 } from '../../shared/node/rfb.ts';
import { Encoding } from '../../shared/node/rfb-server-messages.ts';
import { isStatelessEncoding } from '../../gateway/console/encoding-policy.ts';
import { CLOCK_SCALE, TITLE_SCALE } from '../cluster/vnc/screen.ts';
import { GLYPH_HEIGHT } from '../cluster/vnc/font.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RfbViewer } from '../support/rfb-viewer.ts';

const NS = 'lab';
const VMS = ['shared-1', 'shared-2', 'shared-3', 'shared-4', 'shared-5', 'shared-6', 'shared-7', 'shared-8'];
// What noVNC asks for: a zlib encoding first, as every viewer does.
const NOVNC_ENCODINGS = [Encoding.Tight, Encoding.ZRLE, Encoding.Hextile, Encoding.RRE, Encoding.Raw, Encoding.CopyRect, Encoding.Cursor, Encoding.DesktopSize];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ cluster: { fixture: { base: 'default', namespaces: [NS], vms: VMS.map((name) => ({ namespace: NS, name, running: true })) } } });
});
afterAll(async () => {
  await h?.close();
});

const consoleUrl = (harness: Harness, namespace: string, name: string) => `${harness.url.replace('http', 'ws')}/k8s${vncPath(namespace, name)}`;
const server = (name: string) => h.cluster.vnc.builtinServer(NS, name)!;
const upstreamOpens = (name: string) => h.upstream.filter((line) => line.startsWith(`websocket /apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/${name}/vnc`));

// The clock's band on the built-in screen: the one part that may change between two pictures a second apart.
const clockTop = 24 + (GLYPH_HEIGHT + 3) * TITLE_SCALE;
const clockRows = (rows: number[]) => rows.every((y) => y >= clockTop && y < clockTop + GLYPH_HEIGHT * CLOCK_SCALE);

interface ViewerOptions { viewOnly?: boolean; label?: string; sub?: string; id?: string; maxUses?: number; duration?: string; query?: string; encodings?: number[] }

async function viewer(name: string, options: ViewerOptions = {}): Promise<RfbViewer> {
  const token = await h.consoleToken({
    namespace: NS, name, ...(options.duration ? { duration: options.duration } : {}), ...(options.sub ? { sub: options.sub } : {}), ...(options.id ? { id: options.id } : {}),
    restrictions: { ...(options.viewOnly ? { viewOnly: true } : {}), ...(options.label ? { label: options.label } : {}), ...(options.maxUses ? { maxUses: options.maxUses } : {}) },
  });
  return RfbViewer.open(consoleUrl(h, NS, name), token, { ...(options.query ? { query: options.query } : {}), ...(options.encodings ? { encodings: options.encodings } : {}) });
}

/** Asks for the whole screen and waits for the first update that answers it. */
async function firstPicture(v: RfbViewer) {
  const before = v.updates.length;
  v.request(false);
  return v.nextUpdate(before);
}

describe('a shared VNC console on the built-in server', () => {
  it('shows two viewers the screen through one upstream session; a view-only third joins mid-session with a whole, correct picture', async () => {
    const one = await viewer('shared-1');
    const two = await viewer('shared-1');
    for (const v of [one, two]) {
      const update = await firstPicture(v);
      expect(update.rectangles.reduce((sum, r) => sum + r.width * r.height, 0)).toBeGreaterThanOrEqual(v.width * v.height);
      expect(clockRows(v.rowsDifferingFrom(server('shared-1').screen().rgba))).toBe(true);
    }
    expect(one.name).toBe('lab/shared-1');
    const third = await viewer('shared-1', { viewOnly: true });
    const update = await firstPicture(third);
    // Its first update is whole: every pixel is there, and all but a clock tick equal the server's framebuffer.
    expect(update.rectangles.filter((r) => r.encoding === Encoding.Raw).reduce((sum, r) => sum + r.width * r.height, 0)).toBe(third.width * third.height);
    expect(clockRows(third.rowsDifferingFrom(server('shared-1').screen().rgba))).toBe(true);
    expect(upstreamOpens('shared-1')).toHaveLength(1);
    await Promise.all([one.close(), two.close(), third.close()]);
  });

  it('sends a full-control viewer’s typing to the VM and shows it to everyone; a view-only viewer’s typing reaches nothing', async () => {
    const typist = await viewer('shared-2');
    const watcher = await viewer('shared-2', { viewOnly: true });
    await Promise.all([firstPicture(typist), firstPicture(watcher)]);
    const vm = server('shared-2');
    const before = vm.events.length;
    watcher.send(Buffer.concat([encodeKeyEvent(true, 0x78), encodeKeyEvent(false, 0x78), encodePointerEvent(1, 5, 5)]));
    typist.send(Buffer.concat([encodeKeyEvent(true, 0x71), encodeKeyEvent(false, 0x71)]));
    await waitFor(() => vm.events.length - before >= 2, 'the typist’s key at the VM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(vm.events.slice(before)).toEqual([{ type: 'key', down: true, keysym: 0x71 }, { type: 'key', down: false, keysym: 0x71 }]);
    // Both keep asking, as viewers do; the typed letter shows on both screens.
    for (const v of [typist, watcher]) {
      await waitFor(() => {
        v.request(true);
        return v.rowsDifferingFrom(vm.screen().rgba).length === 0;
      }, 'the typed letter on every screen');
    }
    await Promise.all([typist.close(), watcher.close()]);
  });

  it('closes only the viewer whose link expires; the other keeps the console', async () => {
    const staying = await viewer('shared-3');
    const leaving = await viewer('shared-3', { duration: '2s' });
    expect(await leaving.closed).toEqual({ code: 4410, reason: 'the link expired' });
    await firstPicture(staying);
    expect(staying.closedWith).toBeUndefined();
    await staying.close();
  }, 10_000);

  it('closes only the viewer whose link is revoked, and counts a limited-use link per viewer that joins', async () => {
    const staying = await viewer('shared-8');
    const revoked = await viewer('shared-8', { id: 'shared-revoked' });
    const list = h.cluster.objects.get('ConfigMap', 'kube-gateway', 'gatepass-revoked')!;
    h.cluster.objects.put({ ...list, data: { ...(list as { data?: Record<string, string> }).data, 'shared-revoked': new Date(Date.now() + 3_600_000).toISOString() } } as never);
    expect(await revoked.closed).toEqual({ code: 4401, reason: 'this link has been revoked' });
    const once = await viewer('shared-8', { id: 'shared-once', maxUses: 1, viewOnly: true });
    await firstPicture(once);
    const token = await h.consoleToken({ namespace: NS, name: 'shared-8', id: 'shared-once', restrictions: { maxUses: 1, viewOnly: true } });
    await expect(RfbViewer.open(consoleUrl(h, NS, 'shared-8'), token)).rejects.toThrow(/4403 this link could be opened 1 time and has been used up/);
    await firstPicture(staying);
    expect(staying.closedWith).toBeUndefined();
    await Promise.all([staying.close(), once.close()]);
  });

  it('tells viewers that asked who is there, on join and on leave, and nothing to a plain client', async () => {
    const alice = await viewer('shared-4', { label: 'alice at support', sub: 'alice', query: '?preserveSession=true&presence=true' });
    await waitFor(() => alice.presence.length === 1, 'alice’s presence');
    const plain = await viewer('shared-4', { sub: 'carol' });
    const bob = await viewer('shared-4', { viewOnly: true, query: '?presence=true' });
    await waitFor(() => alice.presence.length === 3 && bob.presence.length === 1, 'the joins');
    expect(bob.presence[0]!.viewers.map((v) => [v.name, v.control])).toEqual([['alice at support', true], ['carol', true], ['someone', false]]);
    expect(alice.presence.map((m) => m.change?.viewer.name)).toEqual([undefined, 'carol', 'someone']);
    await plain.close();
    await waitFor(() => bob.presence.length === 2, 'the leave');
    expect(bob.presence[1]!.change?.kind).toBe('left');
    expect(plain.presence).toEqual([]);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('asks the upstream for stateless encodings once a second viewer is there, and never sends a joiner a zlib encoding', async () => {
    const first = await viewer('shared-5', { encodings: NOVNC_ENCODINGS });
    await firstPicture(first);
    const vm = server('shared-5');
    expect(vm.encodingsAsked.at(-1)).toEqual(NOVNC_ENCODINGS);
    const joiner = await viewer('shared-5', { encodings: NOVNC_ENCODINGS });
    await firstPicture(joiner);
    expect(vm.encodingsAsked.at(-1)).toEqual(NOVNC_ENCODINGS.filter(isStatelessEncoding));
    expect(joiner.updates.flatMap((u) => u.rectangles).every((r) => isStatelessEncoding(r.encoding))).toBe(true);
    await joiner.close();
    // Alone again, and it saw the stream from the start: its own choice goes back up.
    await waitFor(() => vm.encodingsAsked.at(-1)?.join() === NOVNC_ENCODINGS.join(), 'the first viewer’s own encodings again');
    await first.close();
  });

  it('closes, with a reason, a viewer that sets a pixel format other than the console’s', async () => {
    const first = await viewer('shared-6');
    await firstPicture(first);
    const token = await h.consoleToken({ namespace: NS, name: 'shared-6' });
    const other = RfbViewer.open(consoleUrl(h, NS, 'shared-6'), token, { pixelFormat: { ...PIXEL_FORMAT_RGB888, bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 } });
    const end = await (await other).closed;
    expect(end.code).toBe(4403);
    expect(end.reason).toMatch(/this console is shared in 32-bit true colour; this viewer asked for another pixel format/);
    expect(first.closedWith).toBeUndefined();
    await first.close();
  });

  it('does not let a viewer that stops reading hold the others back, and gives it a whole picture when it reads again', async () => {
    const fast = await viewer('shared-7');
    const slow = await viewer('shared-7');
    await Promise.all([firstPicture(fast), firstPicture(slow)]);
    const socket = (slow.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    // Each whole picture is 1 MB: a few fill the slow viewer's buffers well past its backlog.
    const latencies: number[] = [];
    for (let i = 0; i < 24; i++) {
      const asked = performance.now();
      const update = await firstPicture(fast);
      latencies.push(update.at - asked);
    }
    expect(Math.max(...latencies)).toBeLessThan(1000);
    const seen = slow.updates.length;
    socket.resume();
    await waitFor(() => {
      slow.request(true);
      return slow.updates.length > seen + 1 && slow.rowsDifferingFrom(server('shared-7').screen().rgba).length <= GLYPH_HEIGHT * CLOCK_SCALE;
    }, 'the slow viewer’s full refresh', 15_000);
    expect(slow.closedWith).toBeUndefined();
    // What it could not take was dropped at message boundaries, not queued for it.
    expect(slow.updates.length).toBeLessThan(fast.updates.length);
    await Promise.all([fast.close(), slow.close()]);
  }, 30_000);
});

const QEMU = '/usr/bin/qemu-system-x86_64';
const hasQemu = existsSync(QEMU);
if (!hasQemu) console.warn(`gateway-shared-vnc: ${QEMU} is missing (Debian package qemu-system-x86), so the QEMU tests are skipped`);

describe.skipIf(!hasQemu)('a shared VNC console on QEMU', () => {
  let qemu: ChildProcess | undefined;
  let dir: string;
  let socketPath: string;
  let q: Harness;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatepass-qemu-'));
    socketPath = join(dir, 'vnc.sock');
    // -S keeps the guest CPU stopped (no CPU use); QEMU's VNC server still answers, with a still screen.
    qemu = spawn(QEMU, ['-nodefaults', '-display', 'none', '-machine', 'pc', '-S', '-m', '32', '-vga', 'std', '-vnc', `unix:${socketPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    qemu.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => existsSync(socketPath) || qemu?.exitCode !== null, 'QEMU to open its VNC socket', 15_000);
    if (qemu.exitCode !== null) throw new Error(`QEMU exited with ${qemu.exitCode}: ${stderr}`);
    q = await startHarness({ cluster: { fixture: { base: 'default', namespaces: [NS], vms: [{ namespace: NS, name: 'qemu-1', running: true, vncBackend: `unix:${socketPath}` }] } } });
  }, 30_000);

  afterAll(async () => {
    await q?.close();
    if (qemu && qemu.exitCode === null) {
      const exited = new Promise((resolve) => qemu?.once('exit', resolve));
      qemu.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const open = async (options: { viewOnly?: boolean; encodings?: number[] }) => RfbViewer.open(
    consoleUrl(q, NS, 'qemu-1'),
    await q.consoleToken({ namespace: NS, name: 'qemu-1', restrictions: options.viewOnly ? { viewOnly: true } : {} }),
    options.encodings ? { encodings: options.encodings } : {},
  );

  it('shares one QEMU session: joiners get whole pictures in stateless encodings, and a Raw joiner’s picture is QEMU’s screen', async () => {
    const first = await open({ encodings: NOVNC_ENCODINGS });
    const alone = await firstPicture(first);
    // Alone from the start, the first viewer gets its own choice: QEMU answers in Tight or ZRLE.
    expect(alone.rectangles.some((r) => !isStatelessEncoding(r.encoding))).toBe(true);
    // As a viewer does after each update: an incremental request QEMU holds while the (stopped) screen does not change.
    first.request(true);
    const second = await open({ encodings: NOVNC_ENCODINGS, viewOnly: true });
    const joined = await firstPicture(second);
    expect(joined.rectangles.filter((r) => r.encoding !== Encoding.CopyRect && isStatelessEncoding(r.encoding) && r.encoding >= 0)
      .reduce((sum, r) => sum + r.width * r.height, 0)).toBeGreaterThanOrEqual(second.width * second.height);
    const third = await open({ encodings: [Encoding.Raw] });
    await firstPicture(third);
    for (const v of [second, third]) expect(v.updates.flatMap((u) => u.rectangles).every((r) => isStatelessEncoding(r.encoding))).toBe(true);
    const png = PNG.sync.read(await q.cluster.vnc.screenshot({ namespace: NS, name: 'qemu-1', title: 'qemu-1', backend: { kind: 'unix', path: socketPath } }));
    expect([png.width, png.height]).toEqual([third.width, third.height]);
    expect(third.rowsDifferingFrom(png.data)).toEqual([]);
    expect(q.upstream.filter((line) => line.startsWith(`websocket /apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/qemu-1/vnc`))).toHaveLength(1);
    // Input from the full-control viewer goes up (QEMU's CPU is stopped, so only the session staying whole shows it).
    first.send(Buffer.concat([encodeKeyEvent(true, 0x61), encodeKeyEvent(false, 0x61)]));
    await firstPicture(third);
    await Promise.all([first.close(), second.close(), third.close()]);
  }, 30_000);
});
