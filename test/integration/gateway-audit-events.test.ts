// The console audit trail end to end: consoles opened, refused and closed
// through a real gateway leave Events on the VMI that the real kubectl lists and
// describes, a flood of refusals costs a few writes, and the client address the
// audit names is one a client outside --trusted-proxies cannot choose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { linkKey } from '../../shared/node/link-key.ts';
import { encodeClientHandshake, encodeKeyEvent } from '../../shared/node/rfb.ts';
import { clusterRequest } from '../cluster/client.ts';
import { kubectlRunner, type KubectlResult } from '../cluster/kubectl.ts';
import { bearerSubprotocol, closed, openConsole, outsideHolder } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';

interface EventObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  involvedObject: { name: string; namespace: string; uid?: string; kind: string };
  reason: string;
  type: string;
  message: string;
  count: number;
}

let h: Harness;
let kubectl: (args: readonly string[]) => Promise<KubectlResult>;

beforeAll(async () => {
  // Loopback, where the test's clients are, is outside the trusted range: their forwarding headers must not count.
  h = await startHarness({ flags: ['--trusted-proxies', '10.0.0.0/8,fd00::/8'] });
  kubectl = kubectlRunner(h.cluster.kubeconfigPath);
});
afterAll(async () => {
  await h?.close();
});

const wsUrl = (namespace: string, name: string, query = '') => `${h.url.replace('http', 'ws')}/k8s${vncPath(namespace, name)}${query}`;
const connect = (harness: Harness, token: string, namespace: string, name: string, options: { query?: string; headers?: Record<string, string> } = {}) =>
  openConsole(`${harness.url.replace('http', 'ws')}/k8s${vncPath(namespace, name)}${options.query ?? ''}`, {
    protocols: ['plain.kubevirt.io', bearerSubprotocol(token)], ...(options.headers ? { headers: options.headers } : {}),
  });

async function eventsOf(harness: Harness, namespace: string, vm: string): Promise<EventObject[]> {
  const r = await clusterRequest(harness.cluster, { context: 'admin', path: `/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${vm}`)}` });
  return (r.json as { items: EventObject[] }).items;
}

async function eventFor(harness: Harness, namespace: string, vm: string, match: (e: EventObject) => boolean, what: string): Promise<EventObject> {
  let found: EventObject | undefined;
  await waitFor(async () => (found = (await eventsOf(harness, namespace, vm)).find(match)) !== undefined, what);
  return found!;
}

const auditLines = (harness: Harness, kind: string) => harness.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['audit'] === kind);

describe('a console opened and closed', () => {
  it('leaves ConsoleOpened and ConsoleClosed Events on the VMI, shown by kubectl get events and describe vmi', async () => {
    const token = await h.consoleToken({ namespace: 'kube-gateway', name: 'testvm', id: 'audit-open-1', sub: 'alice@example.com', restrictions: { label: 'for Ann', viewOnly: true } });
    const attempt = await connect(h, token, 'kube-gateway', 'testvm', { headers: { 'x-forwarded-for': '198.51.100.66' } });
    expect(attempt.data?.toString('latin1')).toBe('RFB 003.008\n');
    // A view-only viewer's typing is dropped, and the close says how much.
    attempt.ws.send(Buffer.concat([encodeClientHandshake(true), encodeKeyEvent(true, 0x61), encodeKeyEvent(false, 0x61)]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const end = closed(attempt.ws);
    attempt.ws.close(1000);
    await end;

    const uid = h.cluster.objects.get('VirtualMachineInstance', 'kube-gateway', 'testvm')?.metadata.uid;
    const opened = await eventFor(h, 'kube-gateway', 'testvm', (e) => e.reason === 'ConsoleOpened', 'the ConsoleOpened Event');
    const closedEvent = await eventFor(h, 'kube-gateway', 'testvm', (e) => e.reason === 'ConsoleClosed', 'the ConsoleClosed Event');
    expect(opened).toMatchObject({
      type: 'Normal',
      involvedObject: { kind: 'VirtualMachineInstance', name: 'testvm', namespace: 'kube-gateway', uid },
      metadata: { labels: { 'app.kubernetes.io/managed-by': 'gatepass-gateway', 'gatepass.io/link': linkKey('audit-open-1') } },
    });
    // The spoofed X-Forwarded-For came from outside the trusted range: the socket address is what counts.
    expect(opened.message).toBe('VNC console (view-only) opened with link "for Ann" (id audit-open-1) issued by alice@example.com, from 127.0.0.1');
    expect(closedEvent.message).toMatch(/^VNC console \(view-only\) closed by the viewer with 1000 after \d+s; link "for Ann" \(id audit-open-1\) issued by alice@example\.com, from 127\.0\.0\.1; \d+ B from the viewer, \d+ B to it, 2 input messages dropped$/);
    expect(closedEvent.metadata.annotations?.['gatepass.io/connection']).toBe(opened.metadata.annotations?.['gatepass.io/connection']);

    const listed = await kubectl(['get', 'events', '-n', 'kube-gateway', '--field-selector', 'involvedObject.name=testvm']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/Normal\s+ConsoleOpened\s+virtualmachineinstance\/testvm\s+VNC console \(view-only\) opened with link "for Ann"/);
    expect(listed.stdout).toMatch(/Normal\s+ConsoleClosed\s+virtualmachineinstance\/testvm\s+VNC console \(view-only\) closed by the viewer/);
    const forVmi = await kubectl(['events', '-n', 'kube-gateway', '--for', 'vmi/testvm']);
    expect(forVmi.stdout).toMatch(/Normal\s+ConsoleOpened\s+VirtualMachineInstance\/testvm\s+VNC console \(view-only\) opened/);
    const described = await kubectl(['describe', 'vmi', 'testvm', '-n', 'kube-gateway']);
    expect(described.code, described.stderr).toBe(0);
    const section = described.stdout.slice(described.stdout.indexOf('Events:'));
    expect(section).toMatch(/Normal\s+ConsoleOpened\s+\d+s\s+gatepass-gateway\s+VNC console \(view-only\) opened with link "for Ann" \(id audit-open-1\) issued by alice@example\.com, from 127\.0\.0\.1/);
    expect(section).toMatch(/Normal\s+ConsoleClosed\s+\d+s\s+gatepass-gateway\s+VNC console/);

    // The operator guide's "Who used my links?" commands, as written there.
    const byLink = await kubectl(['get', 'events', '-A', '-l', `gatepass.io/link=${linkKey('audit-open-1')}`, '--sort-by=.lastTimestamp',
      '-o', 'custom-columns=LAST:.lastTimestamp,REASON:.reason,VM:.involvedObject.name,CLIENT:.metadata.annotations.gatepass\\.io/client,MS:.metadata.annotations.gatepass\\.io/duration-ms']);
    expect(byLink.code, byLink.stderr).toBe(0);
    const rows = byLink.stdout.trim().split('\n').map((row) => row.split(/\s+/));
    expect(rows[0]).toEqual(['LAST', 'REASON', 'VM', 'CLIENT', 'MS']);
    // Both may carry the same second, and kubectl's sort is not stable: compared in either order.
    expect(rows.slice(1).map((row) => row.slice(1).join(' ')).sort()).toEqual([
      expect.stringMatching(/^ConsoleClosed testvm 127\.0\.0\.1 \d+$/), 'ConsoleOpened testvm 127.0.0.1 <none>',
    ]);

    const [line] = auditLines(h, 'console-opened').filter((l) => l['linkId'] === 'audit-open-1');
    expect(line).toMatchObject({ namespace: 'kube-gateway', vm: 'testvm', linkLabel: 'for Ann', issuer: 'alice@example.com', client: '127.0.0.1', viewOnly: true, console: 'vnc' });
    expect(auditLines(h, 'console-closed').some((l) => l['linkId'] === 'audit-open-1' && typeof l['durationMs'] === 'number')).toBe(true);
    expect(h.logs.join('\n')).not.toContain(token);
  });
});

describe('refusals', () => {
  it('of a VM that is not running leave a Warning found by name (the VMI, and so its uid, does not exist)', async () => {
    const token = await h.consoleToken({ namespace: 'team-b', name: 'build-7', id: 'audit-stopped' });
    expect((await connect(h, token, 'team-b', 'build-7')).code).toBe(4404);
    const refused = await eventFor(h, 'team-b', 'build-7', (e) => e.reason === 'ConsoleRefused', 'the ConsoleRefused Event');
    expect(refused.type).toBe('Warning');
    expect(refused.involvedObject.uid).toBeUndefined();
    expect(refused.message).toMatch(/^VNC console refused \(4404: .+\) with link \(id audit-stopped\), from 127\.0\.0\.1$/);
    const listed = await kubectl(['get', 'events', '-n', 'team-b', '--field-selector', 'involvedObject.name=build-7,reason=ConsoleRefused']);
    expect(listed.stdout).toMatch(/Warning\s+ConsoleRefused\s+virtualmachineinstance\/build-7\s+VNC console refused \(4404/);
    const everywhere = await kubectl(['get', 'events', '-A', '--field-selector', 'reason=ConsoleRefused']);
    expect(everywhere.stdout).toMatch(/team-b\s+\d+s\s+Warning\s+ConsoleRefused\s+virtualmachineinstance\/build-7/);
    expect(auditLines(h, 'console-refused').some((l) => l['linkId'] === 'audit-stopped' && l['code'] === 4404)).toBe(true);
  });

  it('without a valid link are audited on a VMI that exists, and write nothing for a name that does not', async () => {
    expect((await openConsole(wsUrl('team-a', 'web-1'))).code).toBe(4401);
    const refused = await eventFor(h, 'team-a', 'web-1', (e) => e.reason === 'ConsoleRefused' && e.message.includes('no valid link'), 'the refusal without a link');
    expect(refused.metadata.labels).not.toHaveProperty(['gatepass.io/link']);

    const before = h.upstream.length;
    expect((await openConsole(wsUrl('team-a', 'no-such-vm'))).code).toBe(4401);
    await waitFor(() => auditLines(h, 'console-refused').some((l) => l['vm'] === 'no-such-vm'), 'the audit line');
    await waitFor(() => h.upstream.slice(before).some((l) => l.includes('/virtualmachineinstances/no-such-vm as')), 'the VMI lookup');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.upstream.slice(before).filter((l) => l.includes('/events'))).toEqual([]);
    expect(await eventsOf(h, 'team-a', 'no-such-vm')).toEqual([]);
  });

  it('in a flood become one counted Event and a handful of writes', async () => {
    // Someone outside the gateway holds the console: viewers through the gateway would join each other instead.
    const held = await outsideHolder(h, 'team-a', 'db-1');
    const before = h.upstream.length;
    const token = await h.consoleToken({ name: 'db-1', id: 'audit-flood' });
    const codes: (number | undefined)[] = [];
    const floodStarted = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      const attempts = await Promise.all(Array.from({ length: 20 }, () => connect(h, token, 'team-a', 'db-1', { query: '?preserveSession=true' })));
      codes.push(...attempts.map((a) => a.code));
    }
    expect(codes.filter((c) => c === 4409)).toHaveLength(200);

    const flood = await eventFor(h, 'team-a', 'db-1', (e) => e.reason === 'ConsoleRefused' && e.count >= 200, 'the counted refusal');
    // Every write happened between the flood's start and now (the count is complete).
    const settledMs = Date.now() - floodStarted;
    expect(flood.count).toBe(200);
    expect(flood.message).toMatch(/^VNC console refused \(4409: .+\) with link \(id audit-flood\), from 127\.0\.0\.1$/);
    const floodEvents = (await eventsOf(h, 'team-a', 'db-1')).filter((e) => e.reason === 'ConsoleRefused');
    expect(floodEvents).toHaveLength(1);
    const writes = h.upstream.slice(before).filter((l) => /^(POST|PATCH) \/api\/v1\/namespaces\/team-a\/events/.test(l));
    // One create, then count PATCHes at least one 2 s flush interval apart: however long the
    // gateway took to record the flood, no more than that many fit before the count was complete.
    expect(writes.length).toBeLessThanOrEqual(1 + Math.floor(settledMs / 2_000));
    expect(writes.length).toBeLessThan(20);
    expect(writes[0]).toMatch(/^POST /);

    const described = await kubectl(['describe', 'vmi', 'db-1', '-n', 'team-a']);
    expect(described.stdout).toMatch(/Warning\s+ConsoleRefused\s+\d+s \(x200 over \d+s\)\s+gatepass-gateway/);
    held.terminate();
  });
});

describe('--trusted-proxies', () => {
  it('names the client a trusted proxy forwarded, in the Event and the log', async () => {
    const behindProxy = await startHarness({ flags: ['--trusted-proxies', '127.0.0.0/8,::1'] });
    try {
      const token = await behindProxy.consoleToken({ name: 'web-1', id: 'audit-proxied' });
      const attempt = await connect(behindProxy, token, 'team-a', 'web-1', { headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.7' } });
      expect(attempt.data).toBeDefined();
      attempt.ws.close();
      const opened = await eventFor(behindProxy, 'team-a', 'web-1', (e) => e.reason === 'ConsoleOpened', 'the ConsoleOpened Event');
      expect(opened.metadata.annotations?.['gatepass.io/client']).toBe('198.51.100.7');
      expect(opened.message).toContain('from 198.51.100.7');
      const requestLine = behindProxy.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['route'] === 'console' && l['tokenId'] === 'audit-proxied');
      expect(requestLine?.['client']).toBe('198.51.100.7');
    } finally {
      await behindProxy.close();
    }
  });
});
