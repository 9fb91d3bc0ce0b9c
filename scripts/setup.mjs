#!/usr/bin/env node
// Installs what the README's two commands need, so each works on a fresh Debian
// machine with Node 20: npm packages (again only when package-lock.json changed)
// and, for the test suite, the Debian packages the real-world tests drive.
// Plain JavaScript with no dependencies: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'test';

// Debian package → the binary that proves it is installed.
const systemPackages = {
  test: { chromium: '/usr/bin/chromium', 'qemu-system-x86': '/usr/bin/qemu-system-x86_64' },
  demo: {},
};

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`setup: \`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

function ensureNpmPackages() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const want = createHash('sha256').update(lock).digest('hex');
  const marker = join(root, 'node_modules', '.gatepass-lock-sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  console.error('setup: installing npm packages (npm ci)…');
  // The Electron binary cannot be downloaded everywhere; the app is tested without it.
  run('npm', ['ci', '--no-audit', '--no-fund'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
  writeFileSync(marker, want);
}

function ensureSystemPackages() {
  const wanted = systemPackages[purpose] ?? {};
  const missing = Object.entries(wanted).filter(([, binary]) => !existsSync(binary)).map(([name]) => name);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    console.error(`setup: missing Debian packages: ${missing.join(' ')}.`);
    console.error(`setup: install them with \`sudo apt-get install -y ${missing.join(' ')}\`; until then the tests that need them are skipped and say so.`);
    return;
  }
  console.error(`setup: installing Debian packages: ${missing.join(' ')}…`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' });
}

/**
 * The demo opens the desktop app in Electron where its binary can be had. The
 * download is tried once per Electron version, quietly: where it cannot be
 * fetched, one line says so and the demo runs the app in the browser instead.
 */
function ensureElectronBinary() {
  const electron = join(root, 'node_modules', 'electron');
  const pathFile = join(electron, 'path.txt');
  if (existsSync(pathFile) && existsSync(join(electron, 'dist', readFileSync(pathFile, 'utf8').trim()))) return;
  const { version } = JSON.parse(readFileSync(join(electron, 'package.json'), 'utf8'));
  const marker = join(root, 'node_modules', '.gatepass-electron-download-tried');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === version) return;
  writeFileSync(marker, version);
  console.error(`setup: fetching the Electron ${version} binary (once)…`);
  const result = spawnSync(process.execPath, [join(electron, 'install.js')], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (result.status === 0) return;
  const why = `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n').find((line) => /error|failed/i.test(line))?.trim() ?? `exit ${result.status ?? result.signal}`;
  console.error(`setup: no Electron binary here (${why.slice(0, 160)}); the demo runs the app in your browser.`);
}

ensureNpmPackages();
ensureSystemPackages();
if (purpose === 'demo') ensureElectronBinary();
