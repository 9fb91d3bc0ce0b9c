// The built main bundle boots in plain Node under the `electron` test double
// (test/support/fake-electron.ts, wired in by a module hook): on machines
// without the Electron binary this is the proof that the app would start.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { desktopApiMethods } from '../../shared/desktop-api.ts';
import { buildDeepLink, buildGatewayLink } from '../../shared/links.ts';
import { TRAY_ICON_FILES } from '../../main/electron/tray-menu.ts';
import { BUILT, REPO, ensureAppBuild } from '../support/app-build.ts';

interface BootReport {
  windows: number;
  webPreferences: Record<string, unknown>;
  loaded: { file?: string; url?: string };
  handlers: string[];
  trays: Array<{ image: string; menu: string[] }>;
  protocolsBeforeReady: string[];
  foreign: { rejected?: string };
  rendererReady: { reply?: { ok: boolean; value?: unknown } };
}

// Mixed case throughout: the token must reach the renderer exactly as sent.
const link = buildGatewayLink({ gateway: 'https://GW.example', token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJPcGVyYXRvciJ9.SiGnAtUrE_xY', name: 'vm-a', namespace: 'demo', form: 'fragment' });
const deepLink = buildDeepLink(link);
let report: BootReport;

beforeAll(async () => {
  await ensureAppBuild();
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/support/fake-electron-hook.ts', 'test/support/boot-main.ts', BUILT.main, deepLink], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  report = JSON.parse(lines.at(-1)!) as BootReport;
}, 240_000);

describe('the built main bundle under an electron test double', () => {
  it('creates one window with the built preload, which exists, in an isolated sandbox', () => {
    expect(report.windows).toBe(1);
    expect(report.webPreferences.preload).toBe(BUILT.preload);
    expect(existsSync(report.webPreferences.preload as string)).toBe(true);
    expect(report.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  });

  it('loads the built renderer index.html, which exists', () => {
    expect(report.loaded.file).toBe(BUILT.renderer);
    expect(existsSync(report.loaded.file!)).toBe(true);
  });

  it('registers a handler for every DesktopApi method', () => {
    expect([...report.handlers].sort()).toEqual(desktopApiMethods.map((m) => `gatepass:${m}`).sort());
  });

  it('shows a tray whose icon files exist', () => {
    expect(report.trays).toHaveLength(1);
    expect(existsSync(report.trays[0]!.image)).toBe(true);
    for (const file of TRAY_ICON_FILES) expect(existsSync(join(BUILT.assets, file)), file).toBe(true);
    expect(report.trays[0]!.menu).toEqual(expect.arrayContaining(['Open link from clipboard', 'Show Gatepass', 'Quit']));
  });

  it('registers gatepass:// before ready (not run from `electron .`)', () => {
    expect(report.protocolsBeforeReady).toEqual(['gatepass']);
  });

  it('hands the cold-start deep link, unchanged, to the renderer when it says it is ready', () => {
    expect(report.rendererReady.reply).toEqual({ ok: true, value: deepLink });
  });

  it('refuses the same call from a foreign frame', () => {
    expect(report.foreign.rejected).toMatch(/not the Gatepass window/);
  });
});
