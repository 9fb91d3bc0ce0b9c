import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoizeLoginPath, mergePaths, readLoginShellPath } from './login-path.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatepass-shell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeShell(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('readLoginShellPath', () => {
  it("takes the last line the login shell prints, after any profile banner", async () => {
    const shell = fakeShell('banner', 'echo "Welcome"; printf %s "/opt/tools/bin:/usr/bin"');
    expect(await readLoginShellPath({ env: { SHELL: shell }, platform: 'linux' })).toBe('/opt/tools/bin:/usr/bin');
  });

  it('gives up on a shell that hangs, and on Windows', async () => {
    const shell = fakeShell('slow', 'sleep 5');
    expect(await readLoginShellPath({ env: { SHELL: shell }, platform: 'linux', timeoutMs: 200 })).toBeUndefined();
    expect(await readLoginShellPath({ env: { SHELL: shell }, platform: 'win32' })).toBeUndefined();
  });

  it('asks once', async () => {
    let calls = 0;
    const path = memoizeLoginPath(async () => `/call/${++calls}`);
    expect(await path()).toBe('/call/1');
    expect(await path()).toBe('/call/1');
  });

  it('puts the login directories first without duplicates', () => {
    expect(mergePaths('/opt/bin:/usr/bin', '/usr/bin:/bin')).toBe('/opt/bin:/usr/bin:/bin');
    expect(mergePaths(undefined, undefined)).toBeUndefined();
  });
});
