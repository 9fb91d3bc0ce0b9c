// `npm run scan:electron`: the Electron security scan (@doyensec/electronegativity)
// over what the desktop build ships, failing on any finding of MEDIUM severity
// or worse that is not excluded below with its reason.
//
// Electronegativity's parser predates class private fields, which the bundled
// dependencies in out/main/index.js use, so it cannot read that file. The scan
// therefore reads the same Electron glue built with its dependencies left out
// and lowered to ES2020 (everything that configures Electron is in it), plus
// the shipped preload (out/preload/index.cjs) and renderer page (out/renderer/index.html).
// Run `npm run build:app` first.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repo = fileURLToPath(new URL('../', import.meta.url));
const electronVersion = (JSON.parse(readFileSync(join(repo, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;

/** Checks excluded on purpose (by electronegativity's check class name), each with the reason it does not apply. */
export const EXCLUDED_CHECKS: Record<string, string> = {
  // Needs the network to fetch Electron's release list (none here); Electron's
  // version is pinned in package.json and upgraded deliberately.
  AvailableSecurityFixesGlobalCheck: 'needs network access to the Electron release feed',
  // "Review the use of preload scripts": reviewed — the preload (main/preload.ts)
  // exposes exactly the DesktopApi methods through contextBridge, no Node API, and
  // main/electron/pure-glue.test.ts asserts that list.
  PreloadJSCheck: 'the one preload exposes only DesktopApi via contextBridge (tested)',
  // "Review the use of openExternal": every call is guarded — the window-open
  // handler and the Platform pass only https URLs that externalLinkDecision accepts,
  // and mailto: URLs main builds itself (sendByMail); tested in app.test.ts.
  OpenExternalJSCheck: 'every openExternal is behind externalLinkDecision or a main-built mailto:',
  // "Review custom protocol handlers": gatepass:// is the product's deep link. A
  // link only pre-fills the Open link view (nothing connects until the person
  // confirms), is passed on without changing case, and is registered only for
  // the packaged app.
  ProtocolHandlerJSCheck: 'gatepass:// deep links only pre-fill the Open link view',
};

const SEVERE = new Set(['MEDIUM', 'HIGH']);

for (const file of ['out/preload/index.cjs', 'out/renderer/index.html']) {
  if (!existsSync(join(repo, file))) {
    console.error(`scan:electron: ${file} is missing; run \`npm run build:app\` first`);
    process.exit(2);
  }
}

const scan = mkdtempSync(join(tmpdir(), 'gatepass-scan-'));
try {
  await build({
    configFile: false,
    logLevel: 'error',
    build: {
      outDir: join(scan, 'main'),
      emptyOutDir: true,
      target: 'es2020',
      minify: false,
      ssr: true,
      rollupOptions: {
        input: { index: join(repo, 'main/electron/index.ts') },
        external: (id) => !id.startsWith('.') && !id.startsWith('/') && !/^[A-Za-z]:/.test(id),
        output: { format: 'es' },
      },
    },
  });
  mkdirSync(join(scan, 'preload'));
  copyFileSync(join(repo, 'out/preload/index.cjs'), join(scan, 'preload/index.cjs'));
  mkdirSync(join(scan, 'renderer'));
  copyFileSync(join(repo, 'out/renderer/index.html'), join(scan, 'renderer/index.html'));

  const report = join(scan, 'report.csv');
  const run = (() => {
    try {
      return execFileSync(process.execPath, [
        join(repo, 'node_modules/@doyensec/electronegativity/dist/index.js'),
        '-i', scan, '-r', '-v', 'false', '-e', electronVersion, '-o', report,
        '-x', Object.keys(EXCLUDED_CHECKS).join(','),
      ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      console.error(failure.stdout ?? '', failure.stderr ?? '');
      throw new Error('electronegativity failed to run');
    }
  })();
  if (/Error parsing/.test(run)) {
    console.error(run);
    throw new Error('electronegativity could not parse part of the build, so the scan would be incomplete');
  }
  const rows = readFileSync(report, 'utf8').trim().split('\n').slice(1).filter((line) => line.trim() !== '');
  const severe = rows.filter((row) => SEVERE.has((row.split(',')[1] ?? '').replace(/"/g, '').trim().toUpperCase()));
  for (const row of rows) console.log(row);
  if (severe.length > 0) {
    console.error(`scan:electron: ${severe.length} finding(s) of MEDIUM severity or worse`);
    process.exitCode = 1;
  } else {
    console.log(`scan:electron: no MEDIUM or worse findings (${rows.length} lower); excluded: ${Object.keys(EXCLUDED_CHECKS).join(', ')}`);
  }
} finally {
  rmSync(scan, { recursive: true, force: true });
}
