// The gateway image's file tree, assembled by the same script the Dockerfile runs,
// inspected and then run with plain Node against the stand-in: no tsx, no sources,
// only what ships.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaims } from '../../shared/claims.ts';
import { screenshotPath } from '../../shared/kubevirt-paths.ts';
import { importPrivateKey } from '../../shared/node/keys.ts';
import { signToken } from '../../shared/node/sign-token.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import { REPO_ROOT } from '../support/deploy-render.ts';

let dir: string;
let tree: string;
let cluster: ClusterHandle;
let gateway: ChildProcess | undefined;
let gatewayUrl = '';

function files(base: string, under = base): string[] {
  return readdirSync(under, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(base, join(under, e.name)) : [relative(base, join(under, e.name))]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatepass-image-test-'));
  tree = join(dir, 'image');
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/image-tree.ts', '--out', tree], { cwd: REPO_ROOT, timeout: 170_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`image-tree failed: ${stderr || error.message}`)) : resolve());
  });
  cluster = await startCluster();
}, 180_000);

afterAll(async () => {
  gateway?.kill('SIGTERM');
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the image tree', () => {
  it('holds the compiled gateway, the built viewer and a runtime package.json, nothing else at the top', () => {
    expect(readdirSync(tree).sort()).toEqual(['gateway', 'node_modules', 'package.json', 'shared', 'web']);
    expect(existsSync(join(tree, 'gateway/cli.js'))).toBe(true);
    expect(existsSync(join(tree, 'gateway/static/open.js'))).toBe(true);
    expect(existsSync(join(tree, 'web/public/index.html'))).toBe(true);
    expect(existsSync(join(tree, 'web/public/noVNC/vnc_lite.html'))).toBe(true);
  });

  it('ships no tests, no TypeScript sources and no source maps of its own', () => {
    const own = ['gateway', 'shared', 'web'].flatMap((top) => files(tree, join(tree, top)));
    expect(own.length).toBeGreaterThan(20);
    expect(own.filter((f) => /\.test\.|\.ts$|\.tsx$|\.map$/.test(f))).toEqual([]);
  });

  it('depends only on what the gateway imports, at the installed versions, and ships no desktop or dev packages', () => {
    const manifest = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: unknown; type: string };
    expect(manifest.type).toBe('module');
    expect(manifest.devDependencies).toBeUndefined();
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['jose', 'undici', 'pino', 'prom-client', 'cookie', 'send']));
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      expect(JSON.parse(readFileSync(join(tree, 'node_modules', name, 'package.json'), 'utf8')).version, name).toBe(version);
    }
    const installed = readdirSync(join(tree, 'node_modules'));
    for (const absent of ['electron', 'react', 'react-dom', '@kubernetes', '@novnc', 'vitest', 'typescript', 'tsx', 'vite', 'electron-store', 'qrcode', '@playwright']) {
      expect(installed, absent).not.toContain(absent);
    }
    const size = files(tree).reduce((sum, f) => sum + statSync(join(tree, f)).size, 0);
    expect(size).toBeLessThan(40 * 1024 * 1024);
  });

  it('runs with plain node against the stand-in: health, readiness, the viewer and a real console screenshot', async () => {
    const caFile = join(dir, 'ca.crt');
    const tokenFile = join(dir, 'token');
    await writeFile(caFile, cluster.caPem);
    await writeFile(tokenFile, cluster.credentials['gateway']?.token ?? '');
    // cwd is the tree, as WORKDIR /app is in the image; PATH only, so nothing of the checkout leaks in.
    gateway = spawn(process.execPath, [join(tree, 'gateway/cli.js'),
      '--gateway-listen', 'http://127.0.0.1:0', '--public-dir', join(tree, 'web/public'),
      '--api-server', cluster.server, '--api-server-ca-file', caFile, '--api-server-bearer-token-file', tokenFile,
      '--allowed-url', '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc/screenshot',
    ], { cwd: tree, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    gateway.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
    gatewayUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the gateway did not start: ${stderr.join('')}`)), 20_000);
      gateway?.once('exit', (code) => reject(new Error(`the gateway exited ${code}: ${stderr.join('')}`)));
      createInterface({ input: gateway!.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'gateway listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      });
    });

    expect((await fetch(`${gatewayUrl}/healthz`)).status).toBe(200);
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await fetch(`${gatewayUrl}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);
    const page = await fetch(`${gatewayUrl}/noVNC/vnc_lite.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script[^>]+src="\/assets\//);

    const secret = cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt-private') as unknown as { data: Record<string, string> };
    const key = importPrivateKey(Buffer.from(secret.data['tls.key'] ?? '', 'base64').toString('utf8'));
    const shot = screenshotPath('team-a', 'web-1');
    const token = await signToken(buildClaims({ urls: [shot], now: Date.now(), id: 'image-tree' }), key);
    const png = await fetch(`${gatewayUrl}/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } });
    expect(png.status).toBe(200);
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  });

  it('carries the key bootstrap command', async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(process.execPath, [join(tree, 'gateway/cli.js'), 'keys', '--help'], { cwd: tree }, (error, stdout) => resolve({ code: error ? (error.code as number) : 0, stdout }));
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/keys rotate --publish/);
  });
});
