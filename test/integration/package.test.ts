// Packages the app offline with a stand-in Electron distribution
// (scripts/make-electron-stand-in.ts) and checks what the package holds: the
// built main, preload and renderer, and nothing else.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, ensureAppBuild } from '../support/app-build.ts';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[]; extractFile(archive: string, file: string): Buffer };

const work = mkdtempSync(join(tmpdir(), 'gatepass-package-'));
const standIn = join(work, 'electron-dist');
const output = join(work, 'packages');

/** Packages the app, or says why it cannot here. */
async function packageApp(): Promise<{ ok: true; archive: string; appDir: string } | { ok: false; reason: string }> {
  await ensureAppBuild();
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/make-electron-stand-in.ts', standIn], { cwd: REPO, stdio: 'ignore' });
  const run = spawnSync(process.execPath, [join(REPO, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', `-c.electronDist=${standIn}`, `-c.directories.output=${output}`, '--publish', 'never'], { cwd: REPO, encoding: 'utf8', timeout: 180_000 });
  const appDir = join(output, 'linux-unpacked');
  const archive = join(appDir, 'resources', 'app.asar');
  if (run.status !== 0 || !existsSync(archive)) {
    return { ok: false, reason: `electron-builder could not package offline here (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  }
  return { ok: true, archive, appDir };
}

const packaged = await packageApp();
if (!packaged.ok) console.warn(`package.test: SKIPPED — ${packaged.reason}`);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!packaged.ok)('the packaged app (linux dir, stand-in Electron)', () => {
  const files = () => (packaged.ok ? asar.listPackage(packaged.archive, { isPack: false }).map((f) => f.replaceAll('\\', '/')) : []);

  it('has the app executable named after the product', () => {
    expect(packaged.ok && existsSync(join(packaged.appDir, 'gatepass'))).toBe(true);
  });

  it('holds the built main, preload and renderer', () => {
    expect(files()).toEqual(expect.arrayContaining(['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/out/main/assets/trayTemplate.png', '/package.json']));
    expect(files().some((f) => /^\/out\/renderer\/assets\/.+\.js$/.test(f))).toBe(true);
  });

  it('holds nothing else: no sources, tests, node_modules, source maps or dev bridge', () => {
    const unexpected = files().filter((f) => !(f === '/package.json' || f === '/out' || f.startsWith('/out/')));
    expect(unexpected).toEqual([]);
    expect(files().filter((f) => /\.(ts|tsx|map)$/.test(f) || /node_modules|\/test\/|dev-bridge|\.build-lock|\.built-at/.test(f))).toEqual([]);
  });

  it('points Electron at the built main and carries no dev dependencies or scripts', () => {
    if (!packaged.ok) return;
    const manifest = JSON.parse(asar.extractFile(packaged.archive, 'package.json').toString()) as Record<string, unknown>;
    expect(manifest.main).toBe('out/main/index.js');
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
  });

  it('keeps the development bridge out of the main bundle', () => {
    if (!packaged.ok) return;
    const main = asar.extractFile(packaged.archive, 'out/main/index.js').toString();
    expect(main).not.toContain('startDevBridge');
    expect(main).not.toContain('#bridge=');
  });
});
