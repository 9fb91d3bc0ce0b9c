// Who used the links, as the app's main process sees it: createDesktopApi
// against the cluster stand-in, with the gateway's audit Events written into the
// stand-in the way the gateway writes them (test/support/audit-events.ts).
// Checks the pushed updates: used, from where, open now, closed, uses left from
// the counter or the trail, notifications, a VM's openings, and a person who
// may not read Events told so in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleOpenings, DesktopEvent, IssuedLinkActivity, LinkOpened } from '../../shared/desktop-api.ts';
import { linkKey } from '../../shared/node/link-key.ts';
import { createDesktopApi, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { gatepassConfigMap } from '../cluster/default-fixture.ts';
import { writeAuditEvent } from '../support/audit-events.ts';
import { fakePlatform, freePort, memoryStore } from '../support/desktop-doubles.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';

let harness: Harness;
let api: DesktopApiImpl;
let fakes: ReturnType<typeof fakePlatform>;
const events: DesktopEvent[] = [];

const fastWatch = { batchMs: 20, tuning: { initialBackoffMs: 50, maxBackoffMs: 200, pollMs: 200, watchSeconds: 30 } };

beforeAll(async () => {
  const gatewayUrl = `http://127.0.0.1:${await freePort()}`;
  harness = await startHarness({ flags: ['--gateway-listen', gatewayUrl, '--audience', gatewayUrl] });
  harness.cluster.objects.put(gatepassConfigMap(gatewayUrl));
  fakes = fakePlatform(false);
  api = createDesktopApi({ platform: fakes.platform, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined, linkActivity: fastWatch });
  api.onEvent((event) => events.push(event));
});

afterAll(async () => {
  await api?.dispose();
  await harness?.close();
});

/** The latest activity of a link that main pushed. */
function pushed(id: string): IssuedLinkActivity | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'link-activity') return event.snapshot.links[id];
  }
  return undefined;
}
const openingsPushed = (context: string, name: string): ConsoleOpenings | undefined =>
  events.flatMap((e) => (e.kind === 'console-openings' && e.openings.context === context && e.openings.name === name ? [e.openings] : [])).at(-1);
const linkOpened = (): LinkOpened[] => events.flatMap((e) => (e.kind === 'link-opened' ? [e.opened] : []));

describe('issued links', () => {
  let id: string;

  it('says a fresh single-use link is unused, with its one use left, from the trail when the counter is not readable', async () => {
    const shared = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '15m', singleUse: true, label: 'for Carol' });
    id = shared.issued.id;
    await waitFor(() => pushed(id)?.scope?.state === 'live', 'the trail of team-a live');
    // alice may read Events but not the gateway's use counters.
    await waitFor(() => pushed(id)?.usesLeft !== undefined, 'uses left');
    expect(pushed(id)).toMatchObject({ used: false, opens: 0, openNow: [], usesLeft: { left: 1, of: 1, source: 'events' } });
  });

  it('pushes a use within moments: when, from where, open now, none left — and notifies', async () => {
    const before = Date.now();
    writeAuditEvent(harness.cluster, { reason: 'opened', namespace: 'team-a', vm: 'web-1', linkId: id, linkLabel: 'for Carol', issuer: 'alice', client: '203.0.113.9', connection: 'conn-1', session: 'sess-1' });
    await waitFor(() => pushed(id)?.used === true, 'the use pushed', 5_000);
    expect(Date.now() - before).toBeLessThan(5_000);
    const activity = pushed(id)!;
    expect(activity).toMatchObject({ opens: 1, sessions: 1, lastClient: '203.0.113.9', usesLeft: { left: 0, source: 'events' } });
    expect(activity.openNow.map((o) => [o.connection, o.client])).toEqual([['conn-1', '203.0.113.9']]);
    await waitFor(() => linkOpened().length === 1, 'a link-opened event');
    expect(linkOpened()[0]).toMatchObject({ linkId: id, namespace: 'team-a', name: 'web-1', label: 'for Carol', client: '203.0.113.9' });
    expect(fakes.notices.filter((n) => n.startsWith('Console link opened'))).toEqual([expect.stringMatching(/^Console link opened: Your link to “for Carol” \(team-a\/web-1\) was opened from 203\.0\.113\.9 at \d\d:\d\d$/)]);
    expect(api.trayModel().recentOpens.map((o) => o.linkId)).toEqual([id]);
  });

  it('ends "open now" with the close and keeps how long it lasted', async () => {
    writeAuditEvent(harness.cluster, { reason: 'closed', namespace: 'team-a', vm: 'web-1', linkId: id, client: '203.0.113.9', connection: 'conn-1', durationMs: 95_000 });
    await waitFor(() => pushed(id)?.openNow.length === 0, 'the close pushed');
    expect(pushed(id)).toMatchObject({ used: true, lastDurationMs: 95_000, totalDurationMs: 95_000 });
    const history = await api.getLinkHistory(id);
    expect(history.map((r) => r.reason)).toEqual(['ConsoleClosed', 'ConsoleOpened']);
    expect(history[0]).toMatchObject({ connection: 'conn-1', durationMs: 95_000 });
  });

  it('does not notify when the person turned it off, and ignores other links', async () => {
    const settings = await api.getAppSettings();
    expect(settings.notifyLinkOpened).toBe(true);
    await api.saveAppSettings({ ...settings, notifyLinkOpened: false });
    writeAuditEvent(harness.cluster, { reason: 'opened', namespace: 'team-a', vm: 'web-1', linkId: id, client: '198.51.100.7', connection: 'conn-2', session: 'sess-1' });
    writeAuditEvent(harness.cluster, { reason: 'opened', namespace: 'team-a', vm: 'web-1', linkId: 'issued-elsewhere', issuer: 'carol', client: '192.0.2.1', connection: 'conn-x' });
    await waitFor(() => pushed(id)?.opens === 2, 'the reconnect pushed');
    // The same session again: still one use.
    expect(pushed(id)).toMatchObject({ sessions: 1, usesLeft: { left: 0 } });
    expect(linkOpened()).toHaveLength(1);
    expect(fakes.notices.filter((n) => n.startsWith('Console link opened'))).toHaveLength(1);
    await api.saveAppSettings({ ...settings, notifyLinkOpened: true });
  });

  it('tells of a link opened once per browser or app: a reconnect of the same session is not news, another session is', async () => {
    writeAuditEvent(harness.cluster, { reason: 'opened', namespace: 'team-a', vm: 'web-1', linkId: id, client: '203.0.113.9', connection: 'conn-3', session: 'sess-1' });
    await waitFor(() => pushed(id)?.opens === 3, 'the reconnect pushed');
    writeAuditEvent(harness.cluster, { reason: 'opened', namespace: 'team-a', vm: 'web-1', linkId: id, client: '198.51.100.20', connection: 'conn-4', session: 'sess-2' });
    await waitFor(() => linkOpened().length === 2, 'the second session told of');
    expect(linkOpened().map((o) => o.client)).toEqual(['203.0.113.9', '198.51.100.20']);
    expect(fakes.notices.filter((n) => n.startsWith('Console link opened'))).toHaveLength(2);
  });

  it('reads uses left from the gateway counter where the person may', async () => {
    const shared = await api.shareConsole({ context: 'admin', namespace: 'team-b', name: 'build-7', duration: '15m', singleUse: true });
    const counter = `gatepass-uses-${linkKey(shared.issued.id)}`;
    await waitFor(() => pushed(shared.issued.id)?.usesLeft?.source === 'counter', 'the counter read (missing: no use yet)');
    expect(pushed(shared.issued.id)?.usesLeft).toEqual({ left: 1, of: 1, source: 'counter' });
    harness.cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: counter, namespace: 'kube-gateway' }, data: { uses: '1' } });
    writeAuditEvent(harness.cluster, { reason: 'opened', namespace: 'team-b', vm: 'build-7', linkId: shared.issued.id, client: '203.0.113.50', connection: 'conn-b' });
    await waitFor(() => pushed(shared.issued.id)?.usesLeft?.left === 0, 'the counter read again after the use');
    expect(pushed(shared.issued.id)?.usesLeft).toEqual({ left: 0, of: 1, source: 'counter' });
  });
});

describe('a VM’s console openings', () => {
  it('shows who was on the console, whoever issued the link', async () => {
    const first = await api.watchConsoleOpenings('operator', 'team-a', 'web-1');
    expect(first.scope.state).toBe('live');
    expect(first.openings.map((o) => o.connection)).toEqual(expect.arrayContaining(['conn-1', 'conn-2', 'conn-x']));
    expect(first.openings.find((o) => o.connection === 'conn-x')).toMatchObject({ issuer: 'carol', client: '192.0.2.1', openNow: true });
    writeAuditEvent(harness.cluster, { reason: 'closed', namespace: 'team-a', vm: 'web-1', linkId: 'issued-elsewhere', connection: 'conn-x', durationMs: 1_000 });
    await waitFor(() => openingsPushed('operator', 'web-1')?.openings.find((o) => o.connection === 'conn-x')?.openNow === false, 'the close of conn-x pushed');
    await api.unwatchConsoleOpenings('operator', 'team-a', 'web-1');
  });

  it('tells someone who may not read Events so, in words', async () => {
    await api.watchConsoleOpenings('viewer', 'team-a', 'web-1');
    await waitFor(() => openingsPushed('viewer', 'web-1')?.scope.state === 'forbidden', 'a forbidden scope');
    const { scope, openings } = openingsPushed('viewer', 'web-1')!;
    expect(openings).toEqual([]);
    expect(scope.error?.message).toBe('you may not see who used the consoles in team-a: context "viewer" may not read its Events');

    // Permissions change: once bob may read team-a's Events, the openings follow without a restart.
    const rbac = 'rbac.authorization.k8s.io';
    harness.cluster.objects.put({ apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'event-reader', namespace: 'team-a' }, rules: [{ apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] }] });
    harness.cluster.objects.put({ apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'event-reader', namespace: 'team-a' }, roleRef: { apiGroup: rbac, kind: 'Role', name: 'event-reader' }, subjects: [{ apiGroup: rbac, kind: 'User', name: 'bob' }] });
    await waitFor(() => openingsPushed('viewer', 'web-1')?.scope.state === 'live', 'the openings once allowed');
    expect(openingsPushed('viewer', 'web-1')?.openings.some((o) => o.connection === 'conn-x')).toBe(true);
    await api.unwatchConsoleOpenings('viewer', 'team-a', 'web-1');
  });

  it('refuses a VM name that is not one', async () => {
    await expect(api.watchConsoleOpenings('operator', 'team-a', '../x')).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
