// The README's first command, run as a newcomer would: `npm run demo` must come
// up with a working cluster, gateway and link, and stop cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLink } from '../../shared/links.ts';

const run = promisify(execFile);
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('starts the stand-in and the gateway, prints a link that opens a console, and stops on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatepass-demo-'));
    const child = spawn('npm', ['run', '--silent', 'demo'], { env: { ...process.env, GATEPASS_DEMO_DIR: dir, GATEPASS_DEMO_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const ready = await new Promise<{ gateway: string; link: string; serialLink: string; app: string }>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('{"ready":true')) resolve(JSON.parse(line) as { gateway: string; link: string; serialLink: string; app: string });
      });
      child.once('exit', (code) => reject(new Error(`demo exited ${String(code)} before ready: ${stderr}`)));
    });

    const link = parseLink(ready.link);
    expect(link).toMatchObject({ form: 'fragment', name: 'web-1', namespace: 'team-a', gateway: ready.gateway });
    const set = await fetch(`${ready.gateway}/auth/jwt/set`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: link.token, name: 'web-1', namespace: 'team-a' }),
    });
    expect(set.status).toBe(302);
    expect((await fetch(`${ready.gateway}${set.headers.get('location') ?? ''}`)).status).toBe(200);

    // The serial link leads the browser to the VM's serial console, not its screen.
    const serial = parseLink(ready.serialLink);
    const serialSet = await fetch(`${ready.gateway}/auth/jwt/set`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: serial.token, name: 'web-1', namespace: 'team-a' }),
    });
    expect(serialSet.status).toBe(302);
    expect(new URL(serialSet.headers.get('location') ?? '', ready.gateway).searchParams.get('path')).toMatch(/\/virtualmachineinstances\/web-1\/console$/);

    const kubectl = await run('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'get', 'vms', '-A', '-o', 'name']);
    expect(kubectl.stdout.split('\n').filter(Boolean).sort()).toEqual(['virtualmachine.kubevirt.io/build-7', 'virtualmachine.kubevirt.io/db-1', 'virtualmachine.kubevirt.io/testvm', 'virtualmachine.kubevirt.io/web-1']);

    // Without an Electron binary here, the app runs over the development bridge and the demo says so.
    const appUrl = /http:\/\/127\.0\.0\.1:\d+\/#bridge=[\w-]+/.exec(ready.app)?.[0];
    if (appUrl === undefined) {
      expect(ready.app).toMatch(/desktop app is open \(Electron\)/);
    } else {
      expect(ready.app).toMatch(/^no Electron binary here; open the app in your browser:/);
      // A missing binary is said in one line, never as a download attempt's stack trace on each start.
      expect(stderr).not.toMatch(/^\s+at |Downloading Electron/m);
      const page = await fetch(appUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    }

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
