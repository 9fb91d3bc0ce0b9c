// The app's main process and the serial console, against the cluster stand-in's
// serial endpoint: the operator's own serial console straight to the API server
// (like `virtctl console`), over the same console channel the renderer reads the
// screen from; serial links signed for it and opened through the real gateway;
// and the VNC client refusing it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { decodeClaimsUnverified, parseLink } from '../../shared/links.ts';
import { createDesktopApi, type ConsoleChannel, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { gatepassConfigMap } from '../cluster/default-fixture.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { fakePlatform, freePort, memoryStore, readChannel, rejection } from '../support/desktop-doubles.ts';

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

afterEach(() => {
  harness.cluster.serial.disconnect('team-a', 'web-1');
});

/** Everything the channel delivers, as text, and a way to wait for some of it. */
function transcript(channel: ConsoleChannel) {
  let text = '';
  let closed: { code: number; reason: string } | undefined;
  channel.onData((chunk) => {
    text += Buffer.from(chunk).toString('latin1');
  });
  channel.onClose((code, reason) => {
    closed = { code, reason };
  });
  return {
    text: () => text,
    closed: () => closed,
    until: (wanted: string) => waitFor(() => text.includes(wanted), `${JSON.stringify(wanted)} on the console (got ${JSON.stringify(text)})`),
  };
}

const typed = (text: string) => new TextEncoder().encode(text);

describe("the operator's own serial console", () => {
  it('shows the login prompt, and what is typed reaches the VM and is answered', async () => {
    const ticket = await api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-a', name: 'web-1', console: 'serial' }, { takeOver: false });
    expect(ticket).toMatchObject({ console: 'serial', namespace: 'team-a', name: 'web-1', viewOnly: false });
    const channel = api.takeConsoleChannel(ticket.id)!;
    const screen = transcript(channel);
    await screen.until('web-1 login: ');

    const before = harness.cluster.serial.received('team-a', 'web-1').length;
    channel.send(typed('root\r'));
    await screen.until('\r\nroot\r\nweb-1 login: ');
    expect(harness.cluster.serial.received('team-a', 'web-1').subarray(before).toString('latin1')).toBe('root\r');
    expect(harness.cluster.serial.connections('team-a', 'web-1')).toBe(1);

    await api.closeConsole(ticket.id);
    await waitFor(() => harness.cluster.serial.connections('team-a', 'web-1') === 0, 'the serial console closed');
  });

  it('carries VM output that arrives later, byte for byte', async () => {
    const ticket = await api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-a', name: 'web-1', console: 'serial' }, { takeOver: false });
    const screen = transcript(api.takeConsoleChannel(ticket.id)!);
    await screen.until('web-1 login: ');
    harness.cluster.serial.write('team-a', 'web-1', Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0xe9, 0x00]));
    await screen.until('\u001b[2J\u00e9\u0000');
    await api.closeConsole(ticket.id);
  });

  it('takes the serial console from an earlier connection, as `virtctl console` does', async () => {
    const first = await api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-a', name: 'web-1', console: 'serial' }, { takeOver: false });
    const firstScreen = transcript(api.takeConsoleChannel(first.id)!);
    await firstScreen.until('web-1 login: ');
    const opened = harness.cluster.serial.opened('team-a', 'web-1');
    const second = await api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-a', name: 'web-1', console: 'serial' }, { takeOver: false });
    const secondScreen = transcript(api.takeConsoleChannel(second.id)!);
    await secondScreen.until('web-1 login: ');
    expect(harness.cluster.serial.opened('team-a', 'web-1')).toBe(opened + 1);
    await waitFor(() => firstScreen.closed() !== undefined, 'the earlier connection closed');
    expect(harness.cluster.serial.connections('team-a', 'web-1')).toBe(1);
    await api.closeConsole(second.id);
  });

  it('says the VM is not running for a stopped VM', async () => {
    const ticket = await api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-b', name: 'build-7', console: 'serial' }, { takeOver: false });
    expect(await readChannel(api.takeConsoleChannel(ticket.id)!, 1)).toMatchObject({ code: 4404 });
  });

  it('refuses an unknown console kind before connecting anything', async () => {
    const opened = harness.cluster.serial.opened('team-a', 'web-1');
    const refusal = await rejection(api.openConsole({ kind: 'own', context: 'operator', namespace: 'team-a', name: 'web-1', console: 'usbredir' } as never, { takeOver: false }));
    expect(refusal).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('"vnc" or "serial"') });
    expect(harness.cluster.serial.opened('team-a', 'web-1')).toBe(opened);
  });
});

describe('serial console links', () => {
  it('signs the chosen consoles into the token and remembers them', async () => {
    const serial = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m', consoles: ['serial'] });
    expect(decodeClaimsUnverified(parseLink(serial.link).token).URLs).toEqual([consolePath('team-a', 'web-1')]);
    expect(serial.issued.consoles).toEqual(['serial']);
    expect((await api.inspectLink(serial.link)).consoles).toEqual(['serial']);

    const both = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m', consoles: ['serial', 'vnc'] });
    expect(decodeClaimsUnverified(parseLink(both.link).token).URLs).toEqual([vncPath('team-a', 'web-1'), consolePath('team-a', 'web-1')]);
    expect((await api.listIssuedLinks()).find((l) => l.id === both.issued.id)?.consoles).toEqual(['vnc', 'serial']);

    const screen = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m' });
    expect(screen.issued.consoles).toEqual(['vnc']);
  });

  it('opens a serial link through its gateway: the prompt arrives, typed bytes reach the VM', async () => {
    const shared = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m', consoles: ['serial'] });
    const ticket = await api.openConsole({ kind: 'link', link: shared.link }, { takeOver: false });
    expect(ticket).toMatchObject({ console: 'serial', namespace: 'team-a', name: 'web-1' });
    const channel = api.takeConsoleChannel(ticket.id)!;
    const screen = transcript(channel);
    await screen.until('web-1 login: ');
    const before = harness.cluster.serial.received('team-a', 'web-1').length;
    channel.send(typed('carol\r'));
    await screen.until('\r\ncarol\r\nweb-1 login: ');
    expect(harness.cluster.serial.received('team-a', 'web-1').subarray(before).toString('latin1')).toBe('carol\r');
    await api.closeConsole(ticket.id);
  });

  it('refuses an empty or unknown choice of consoles in words', async () => {
    expect(await rejection(api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m', consoles: [] }))).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('at least one console') });
    expect(await rejection(api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m', consoles: ['rdp'] as never }))).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('"rdp"') });
  });

  it('refuses to open a console a link does not grant', async () => {
    const screen = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m' });
    expect(await rejection(api.openConsole({ kind: 'link', link: screen.link, console: 'serial' }, { takeOver: false }))).toMatchObject({ code: 'invalid-input', message: 'this link opens only the screen, not the serial console' });
  });
});

describe('the VNC client', () => {
  it('is refused the serial console, own or by link', async () => {
    const own = await rejection(api.openInVncClient({ kind: 'own', context: 'operator', namespace: 'team-a', name: 'web-1', console: 'serial' }));
    expect(own).toMatchObject({ code: 'unsupported', message: expect.stringContaining('A VNC client shows only the screen') });
    const serial = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '10m', consoles: ['serial'] });
    expect(await rejection(api.openInVncClient({ kind: 'link', link: serial.link }))).toMatchObject({ code: 'unsupported' });
    expect(harness.cluster.serial.connections('team-a', 'web-1')).toBe(0);
  });
});
