import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectlRunner } from '../cluster/kubectl.ts';
import { parseFixture } from '../cluster/fixture.ts';

let dir: string;
// The README's own command: the script execs node, so SIGTERM to npm reaches the stand-in itself.
const CLUSTER = ['run', '--silent', 'cluster', '--'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatepass-cluster-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FIXTURE = `
base: default
vms:
  - { namespace: lab, name: yaml-vm, running: true, nodeName: node-9, ipAddress: 10.9.9.9, guestOS: "Alpine Linux 3.20" }
objects:
  - apiVersion: v1
    kind: List
    items:
      - { apiVersion: v1, kind: ConfigMap, metadata: { name: from-list, namespace: lab }, data: { k: v } }
`;

describe('npm run cluster (test/cluster/cli.ts)', () => {
  it('prints one ready JSON line, serves kubectl with the fixture file, and exits 0 on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const fixture = join(dir, 'fixture.yaml');
    await writeFile(fixture, FIXTURE);
    const child = spawn('npm', [...CLUSTER, '--kubeconfig', kubeconfig, '--fixture', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = createInterface({ input: child.stdout });
    const stdoutLines: string[] = [];
    const ready = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => {
        stdoutLines.push(line);
        resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`cli exited ${String(code)} before ready: ${stderr}`)));
    });
    const parsed = JSON.parse(ready) as { ready: boolean; server: string; kubeconfig: string };
    expect(parsed).toEqual({ ready: true, server: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) as unknown, kubeconfig });
    const config = parse(await readFile(kubeconfig, 'utf8')) as { 'current-context': string; contexts: { name: string }[]; clusters: { cluster: { server: string } }[] };
    expect(config['current-context']).toBe('admin');
    expect(config.contexts.map((c) => c.name)).toEqual(['admin', 'operator', 'viewer', 'issuer-limited', 'gateway']);
    expect(config.clusters[0]!.cluster.server).toBe(parsed.server);

    const kubectl = kubectlRunner(kubeconfig);
    const vmi = await kubectl(['get', 'vmi', 'yaml-vm', '-n', 'lab', '-o', 'jsonpath={.status.guestOSInfo.prettyName} {.status.nodeName}']);
    expect(vmi.stdout).toBe('Alpine Linux 3.20 node-9');
    const cm = await kubectl(['get', 'configmap', 'from-list', '-n', 'lab', '-o', 'jsonpath={.data.k}']);
    expect(cm.stdout).toBe('v');
    const vms = await kubectl(['get', 'vms', '-A', '-o', 'name']);
    expect(vms.stdout.split('\n').filter(Boolean)).toHaveLength(5);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdoutLines).toEqual([ready]);
  });

  it('exits 2 with usage when --kubeconfig is missing', async () => {
    const child = spawn('npm', [...CLUSTER, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('--kubeconfig is required');
  });
});

describe('fixture files', () => {
  it('reads a stream of Kubernetes objects as objects over the default fixture', () => {
    const fixture = parseFixture('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: a}\n');
    expect(fixture.base).toBe('default');
    expect(fixture.objects?.map((o) => o.kind)).toEqual(['Namespace', 'ConfigMap']);
  });

  it('names what is wrong with a bad fixture', () => {
    expect(() => parseFixture('{"vm": []}', 'f.json')).toThrow('f.json: unknown fixture field(s) vm; expected base, users, currentContext, namespaces, vms, objects, faults');
    expect(() => parseFixture('vms: 3', 'f.yaml')).toThrow('f.yaml: vms must be a list');
    expect(() => parseFixture('- {kind: Secret}\n- 3\n', 'f.yaml')).toThrow('f.yaml: document item #1 is not a Kubernetes object (no kind)');
  });
});
