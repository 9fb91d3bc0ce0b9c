// Builds the desktop app (`electron-vite build` → out/) once for the test suites
// that need it, even when several run at the same time: the first takes a lock
// directory and builds, the others wait for it to finish.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const OUT = `${REPO}out/`;
const LOCK = `${REPO}out/.build-lock`;
const STAMP = `${REPO}out/.built-at`;
/** What the build is made from: a build newer than all of it is reused. */
const SOURCES = ['main', 'renderer', 'shared', 'assets', 'electron.vite.config.ts'];

export const BUILT = {
  main: `${OUT}main/index.js`,
  preload: `${OUT}preload/index.cjs`,
  renderer: `${OUT}renderer/index.html`,
  assets: `${OUT}main/assets/`,
};

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(`${path}/${name}`)), stats.mtimeMs);
}

function fresh(): boolean {
  if (!existsSync(STAMP) || !Object.values(BUILT).every((path) => existsSync(path))) return false;
  const builtAt = statSync(STAMP).mtimeMs;
  return SOURCES.every((source) => newestMtime(`${REPO}${source}`) < builtAt);
}

export async function ensureAppBuild(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (fresh()) return;
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`waited too long for another build to finish (remove ${LOCK} if it is stale)`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (fresh()) return;
    execFileSync(process.execPath, [`${REPO}node_modules/electron-vite/bin/electron-vite.js`, 'build', '--logLevel', 'warn'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(STAMP, new Date().toISOString());
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
