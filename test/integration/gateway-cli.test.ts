import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../gateway/config.ts';

const run = promisify(execFile);

async function gateway(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the gateway command line', () => {
  it('lists every flag with its default in --help', async () => {
    const { code, stdout } = await gateway(['--help']);
    expect(code).toBe(0);
    for (const flag of FLAGS) expect(stdout).toContain(`--${flag.name}`);
    expect(stdout).toContain('(default: /k8s/;');
  });

  it('exits 2 with one clear line for a bad flag', async () => {
    const { code, stderr } = await gateway(['--api-pth=/x/']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^gatepass-gateway: .*api-pth/);
  });

  it('exits 2 for a bad duration from the environment', async () => {
    const { code, stderr } = await gateway([], { GATEPASS_CLOCK_SKEW: '30 seconds' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/GATEPASS_CLOCK_SKEW/);
  });

  it('exits 2 when a file it needs cannot be read', async () => {
    const { code, stderr } = await gateway(['--gateway-listen', 'http://127.0.0.1:0', '--api-server', 'https://127.0.0.1:1', '--api-server-ca-file', '/nonexistent/ca.crt']);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^gatepass-gateway: cannot read the API server CA file "\/nonexistent\/ca.crt": ENOENT$/);
  });

  it('exits 2 when the local public key file holds no usable key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatepass-cli-'));
    const keyFile = join(dir, 'key.pem');
    await writeFile(keyFile, '-----BEGIN CERTIFICATE-----\nbm90IGEga2V5\n-----END CERTIFICATE-----\n');
    const { code, stderr } = await gateway(['--gateway-listen', 'http://127.0.0.1:0', '--api-server', 'http://127.0.0.1:1', '--jwt-public-key-file', keyFile]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^gatepass-gateway: .*key/);
  });
});
