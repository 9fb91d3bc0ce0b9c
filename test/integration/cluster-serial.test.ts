import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clusterRequest } from '../cluster/client.ts';
import { startCluster } from '../cluster/server.ts';
import type { ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;

const RBAC_GROUP = 'rbac.authorization.k8s.io';

beforeAll(async () => {
  // erin may open every VNC console but no serial console: the two subresources are granted apart.
  cluster = await startCluster({
    fixture: {
      base: 'default',
      users: [{ context: 'vnc-only', username: 'erin', groups: [] }],
      objects: [
        { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: { name: 'vnc-only' }, rules: [{ apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/vnc'], verbs: ['get'] }] },
        {
          apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'vnc-only' },
          roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'vnc-only' }, subjects: [{ apiGroup: RBAC_GROUP, kind: 'User', name: 'erin' }],
        },
      ],
    },
  });
});

afterAll(async () => {
  await cluster?.close();
});

const subresourcePath = (sub: 'console' | 'vnc', ns: string, name: string, version = 'v1'): string =>
  `/apis/subresources.kubevirt.io/${version}/namespaces/${ns}/virtualmachineinstances/${name}/${sub}`;
const consolePath = (ns: string, name: string, version = 'v1'): string => subresourcePath('console', ns, name, version);

/** A client of the serial console: everything it was sent, and how its websocket closed. */
interface Terminal {
  ws: WebSocket;
  output(): string;
  /** Resolves once the output so far contains `text`. */
  until(text: string): Promise<void>;
  type(bytes: string | Buffer): void;
  closed: Promise<{ code: number; reason: string }>;
}

type Outcome = { opened: true; terminal: Terminal } | { opened: false; status: number; body: unknown };

function connect(path: string, context: string, protocols = ['plain.kubevirt.io']): Promise<Outcome> {
  const creds = cluster.credentials[context];
  if (!creds) throw new Error(`no context ${context}`);
  const ws = new WebSocket(`${cluster.server.replace('https', 'wss')}${path}`, protocols, {
    ca: cluster.caPem,
    headers: creds.token ? { Authorization: `Bearer ${creds.token}` } : {},
    ...(creds.clientCertificate ? { cert: creds.clientCertificate.certPem, key: creds.clientCertificate.keyPem } : {}),
  });
  const chunks: Buffer[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) throw new Error('the serial console sent a text frame');
    chunks.push(data);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const output = (): string => Buffer.concat(chunks).toString('utf8');
  const terminal: Terminal = {
    ws, output, closed,
    type: (bytes) => ws.send(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, { binary: true }),
    until: (text) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(output())}`)), 5000);
      const check = (): void => {
        if (!output().includes(text)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    }),
  };
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      const body: Buffer[] = [];
      res.on('data', (c: Buffer) => body.push(c));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(body).toString()) as unknown }));
    });
    ws.once('open', () => resolve({ opened: true, terminal }));
    ws.once('error', reject);
  });
}

async function open(path: string, context = 'admin'): Promise<Terminal> {
  const outcome = await connect(path, context);
  if (!outcome.opened) throw new Error(`console refused with ${outcome.status}: ${JSON.stringify(outcome.body)}`);
  return outcome.terminal;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the serial console subresource', () => {
  it('greets with a login prompt, echoes typing and answers each line', async () => {
    const before = cluster.serial.received('team-a', 'web-1').length;
    const terminal = await open(consolePath('team-a', 'web-1'));
    await terminal.until('\r\nweb-1 login: ');
    terminal.type('ro');
    terminal.type('ot\r');
    await terminal.until('\r\nroot\r\nweb-1 login: ');
    expect(terminal.output()).toBe('\r\nweb-1 login: root\r\nroot\r\nweb-1 login: ');
    expect(cluster.serial.received('team-a', 'web-1').subarray(before).toString()).toBe('root\r');
    terminal.ws.close();
    await terminal.closed;
  });

  it('records control bytes like any other and answers Ctrl-C with a fresh prompt', async () => {
    const before = cluster.serial.received('team-a', 'db-1').length;
    const terminal = await open(consolePath('team-a', 'db-1'));
    terminal.type(Buffer.from([0x61, 0x03, 0x04, 0x1d]));
    await terminal.until('a^C\r\ndb-1 login: ^D^]');
    expect([...cluster.serial.received('team-a', 'db-1').subarray(before)]).toEqual([0x61, 0x03, 0x04, 0x1d]);
    terminal.ws.close();
    await terminal.closed;
  });

  it('drops text frames: they are neither recorded nor answered', async () => {
    const before = cluster.serial.received('team-a', 'web-1').length;
    const terminal = await open(consolePath('team-a', 'web-1'));
    await terminal.until('login: ');
    terminal.ws.send('rm -rf /\r');
    terminal.type('ok\r');
    await terminal.until('\r\nok\r\nweb-1 login: ');
    expect(terminal.output()).not.toContain('rm -rf');
    expect(cluster.serial.received('team-a', 'web-1').subarray(before).toString()).toBe('ok\r');
    terminal.ws.close();
    await terminal.closed;
  });

  it('gives the console to the newest connection, with or without preserveSession; the previous one drops (1006)', async () => {
    const opened = cluster.serial.opened('kube-gateway', 'testvm');
    const first = await open(consolePath('kube-gateway', 'testvm'));
    await first.until('login: ');
    expect(cluster.serial.connections('kube-gateway', 'testvm')).toBe(1);
    // KubeVirt's serial console has no preserveSession: asking for it changes nothing.
    const second = await open(`${consolePath('kube-gateway', 'testvm')}?preserveSession=true`);
    expect((await first.closed).code).toBe(1006);
    await second.until('testvm login: ');
    expect(cluster.serial.opened('kube-gateway', 'testvm')).toBe(opened + 2);
    expect(cluster.serial.connections('kube-gateway', 'testvm')).toBe(1);
    expect(cluster.serial.requestUrls('kube-gateway', 'testvm').slice(-1)[0]).toMatch(/\/console\?preserveSession=true$/);
    second.type('still here\r');
    await second.until('\r\nstill here\r\ntestvm login: ');
    second.ws.close();
    await second.closed;
    await eventually(() => cluster.serial.connections('kube-gateway', 'testvm') === 0, 'the console to be free');
  });

  it('lets the harness write VM output to the connected viewer and drop it', async () => {
    expect(cluster.serial.write('team-a', 'db-1', 'nobody listens')).toBe(false);
    const terminal = await open(consolePath('team-a', 'db-1'));
    await terminal.until('login: ');
    const big = Buffer.alloc(25_000, 'x');
    expect(cluster.serial.write('team-a', 'db-1', Buffer.concat([Buffer.from('[  OK  ] Booted\r\n'), big]))).toBe(true);
    await terminal.until(`[  OK  ] Booted\r\n${big.toString()}`);
    expect(terminal.output()).not.toContain('nobody listens');
    cluster.serial.disconnect('team-a', 'db-1');
    expect((await terminal.closed).code).toBe(1006);
    expect(cluster.serial.connections('team-a', 'db-1')).toBe(0);
  });

  it('serves the v1alpha3 path and token users as the v1 path and client certificates', async () => {
    const terminal = await open(consolePath('team-a', 'web-1', 'v1alpha3'), 'gateway');
    await terminal.until('\r\nweb-1 login: ');
    terminal.ws.close();
    await terminal.closed;
  });

  it('answers a stopped or not-running VM as the VNC subresource does (404, 400)', async () => {
    for (const sub of ['console', 'vnc'] as const) {
      expect(await connect(subresourcePath(sub, 'team-b', 'build-7'), 'admin')).toMatchObject({ opened: false, status: 404, body: { kind: 'Status', reason: 'NotFound' } });
    }
    const vmi = cluster.objects.get('VirtualMachineInstance', 'team-a', 'db-1')!;
    cluster.objects.put({ ...vmi, status: { ...(vmi['status'] as object), phase: 'Scheduling' } });
    try {
      for (const sub of ['console', 'vnc'] as const) {
        expect(await connect(subresourcePath(sub, 'team-a', 'db-1'), 'admin')).toMatchObject({
          opened: false, status: 400, body: { reason: 'BadRequest', message: 'Unable to connect to VirtualMachineInstance because phase is Scheduling instead of Running' },
        });
      }
    } finally {
      cluster.objects.put(vmi);
    }
  });

  it('ends an open console when its VM stops', async () => {
    const terminal = await open(consolePath('kube-gateway', 'testvm'));
    await terminal.until('login: ');
    cluster.setVmRunning('kube-gateway', 'testvm', false);
    expect((await terminal.closed).code).toBe(1006);
    cluster.setVmRunning('kube-gateway', 'testvm', true);
    await eventually(() => (cluster.objects.get('VirtualMachineInstance', 'kube-gateway', 'testvm')?.['status'] as { phase?: string } | undefined)?.phase === 'Running', 'testvm to run again');
  });

  it('refuses a websocket without plain.kubevirt.io, and a plain GET, with 400', async () => {
    expect(await connect(consolePath('team-a', 'web-1'), 'admin', ['binary'])).toMatchObject({ opened: false, status: 400, body: { reason: 'BadRequest', message: 'websocket subprotocol plain.kubevirt.io is required' } });
    const plain = await clusterRequest(cluster, { context: 'admin', path: consolePath('team-a', 'web-1') });
    expect(plain.status).toBe(400);
    expect(plain.json).toMatchObject({ message: 'the console subresource needs a websocket upgrade' });
  });
});

describe('who may open a serial console', () => {
  it('answers 403 to those without virtualmachineinstances/console, even when they may open VNC', async () => {
    const before = cluster.serial.opened('team-a', 'web-1');
    expect(await connect(consolePath('team-a', 'web-1'), 'viewer')).toMatchObject({
      opened: false, status: 403,
      body: { reason: 'Forbidden', message: 'virtualmachineinstances.subresources.kubevirt.io "web-1" is forbidden: User "bob" cannot get resource "virtualmachineinstances/console" in API group "subresources.kubevirt.io" in the namespace "team-a"' },
    });
    expect(await connect(consolePath('team-a', 'web-1'), 'vnc-only')).toMatchObject({ opened: false, status: 403, body: { reason: 'Forbidden' } });
    const vnc = await connect(subresourcePath('vnc', 'team-a', 'web-1'), 'vnc-only');
    expect(vnc.opened).toBe(true);
    if (vnc.opened) vnc.terminal.ws.close();
    expect(cluster.serial.opened('team-a', 'web-1')).toBe(before);
  });

  it("keeps the issuer-limited context's serial consoles to team-a, like her VNC consoles", async () => {
    const terminal = await open(consolePath('team-a', 'db-1'), 'issuer-limited');
    await terminal.until('db-1 login: ');
    terminal.ws.close();
    await terminal.closed;
    expect(await connect(consolePath('kube-gateway', 'testvm'), 'issuer-limited')).toMatchObject({ opened: false, status: 403 });
  });

  it('answers SelfSubjectAccessReviews for virtualmachineinstances/console per RBAC', async () => {
    const allowed = (context: string, namespace: string, subresource: string): Promise<boolean> => clusterRequest(cluster, {
      context, method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource, name: 'any' } } },
    }).then((r) => (r.json as { status: { allowed: boolean } }).status.allowed);
    const cases: Array<[string, string, boolean]> = [
      ['operator', 'team-b', true], ['gateway', 'team-b', true], ['admin', 'team-b', true],
      ['issuer-limited', 'team-a', true], ['issuer-limited', 'team-b', false],
      ['viewer', 'team-a', false], ['vnc-only', 'team-a', false],
    ];
    for (const [context, namespace, expected] of cases) {
      expect([context, namespace, await allowed(context, namespace, 'console')]).toEqual([context, namespace, expected]);
      // Whoever may open one console of a VM may open the other.
      if (context !== 'vnc-only') expect([context, namespace, await allowed(context, namespace, 'vnc')]).toEqual([context, namespace, expected]);
    }
  });

  it('lists the console subresource in discovery for both versions', async () => {
    for (const version of ['v1', 'v1alpha3']) {
      const r = await clusterRequest(cluster, { context: 'admin', path: `/apis/subresources.kubevirt.io/${version}` });
      const names = (r.json as { resources: Array<{ name: string; verbs: string[] }> }).resources.map((x) => `${x.name}:${x.verbs.join(',')}`);
      expect(names).toContain('virtualmachineinstances/console:get');
    }
  });
});
