// Packages the app offline with a stand-in Electron distribution
// (scripts/make-electron-stand-in.ts) and checks what the package holds: the
// built main, preload and renderer, and nothing else.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as Fuses from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, ensureAppBuild } from '../support/app-build.ts';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[]; extractFile(archive: string, file: string): Buffer };
const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as typeof Fuses;

const work = mkdtempSync(join(tmpdir(), 'gatepass-package-'));
const standIn = join(work, 'electron-dist');
const output = join(work, 'packages');

/** Packages the app, or says why it cannot here. */
async function packageApp(electronDist: string, output: string): Promise<{ ok: true; archive: string; appDir: string } | { ok: false; reason: string }> {
  await ensureAppBuild();
  const run = spawnSync(process.execPath, [join(REPO, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', `-c.electronDist=${electronDist}`, `-c.directories.output=${output}`, '--publish', 'never'], { cwd: REPO, encoding: 'utf8', timeout: 180_000 });
  const appDir = join(output, 'linux-unpacked');
  const archive = join(appDir, 'resources', 'app.asar');
  if (run.status !== 0 || !existsSync(archive)) {
    return { ok: false, reason: `electron-builder could not package offline here (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  }
  return { ok: true, archive, appDir };
}

execFileSync(process.execPath, ['--import', 'tsx', 'scripts/make-electron-stand-in.ts', standIn], { cwd: REPO, stdio: 'ignore' });
const packaged = await packageApp(standIn, output);
if (!packaged.ok) console.warn(`package.test: SKIPPED — ${packaged.reason}`);

const realElectron = join(REPO, 'node_modules/electron/dist');
const hasRealElectron = existsSync(join(realElectron, 'electron'));
if (!hasRealElectron) console.warn('package.test: the packaged-with-real-Electron checks are SKIPPED — no Electron binary on this machine (node_modules/electron/dist); the fuses are still checked on the stand-in package');

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

  it('ships an executable whose fuses the afterPack hook flipped', async () => {
    if (!packaged.ok) return;
    const wire = await getCurrentFuseWire(join(packaged.appDir, 'gatepass'));
    const on = 49;
    const off = 48;
    expect(wire[FuseV1Options.RunAsNode]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(off);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(on);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(on);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(on);
  });
});

describe.skipIf(!hasRealElectron)('the app packaged with the real Electron', () => {
  it('cannot be turned into a plain Node by ELECTRON_RUN_AS_NODE or NODE_OPTIONS', async () => {
    const real = await packageApp(realElectron, join(work, 'real'));
    expect(real.ok).toBe(true);
    if (!real.ok) return;
    const run = spawnSync(join(real.appDir, 'gatepass'), ['-e', 'console.log("ran as node")', '--no-sandbox'], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '--require=/nonexistent.js' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(`${run.stdout}${run.stderr}`).not.toContain('ran as node');
  });
});
