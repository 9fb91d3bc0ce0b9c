// `npm run --silent dev:browser -- [--kubeconfig PATH] [--port N] [--profile DIR] [--static DIR]`
// Serves the built renderer (default dist/app, from `vite build -c vite.app.config.ts`)
// on 127.0.0.1 with DesktopApi over a loopback websocket to the real main services,
// settings and history in a fresh temporary profile unless --profile is given.
// Prints exactly one JSON line on stdout when ready: {"ready":true,"url":"http://127.0.0.1:PORT/#bridge=TOKEN"}.
// Platform: copies and mails handed back to the page (its clipboard, its mailto:), notifications only logged (stderr), no safeStorage.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Conf from 'conf';
import { createDesktopApi } from '../main/desktop-api-impl.ts';
import { bridgePlatform } from '../main/dev-bridge/platform.ts';
import { startDevBridge } from '../main/dev-bridge/server.ts';

function fail(message: string): never {
  process.stderr.write(`dev-browser: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: { kubeconfig: { type: 'string' }, port: { type: 'string' }, profile: { type: 'string' }, static: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\nusage: dev-browser [--kubeconfig PATH] [--port N] [--profile DIR] [--static DIR]`);
}

const port = args.port === undefined ? 0 : Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number (0-65535), not ${JSON.stringify(args.port)}`);
const staticDir = resolve(args.static ?? 'dist/app');
if (!existsSync(join(staticDir, 'index.html'))) fail(`${staticDir}/index.html is missing: build the renderer first (npx vite build -c vite.app.config.ts)`);
if (args.kubeconfig !== undefined && !existsSync(args.kubeconfig)) fail(`--kubeconfig ${args.kubeconfig} does not exist`);

const temporaryProfile = args.profile === undefined;
const profile = args.profile ? resolve(args.profile) : mkdtempSync(join(tmpdir(), 'gatepass-dev-browser-'));
const store = new Conf<Record<string, unknown>>({ cwd: profile, configName: 'gatepass' });
const api = createDesktopApi({
  platform: bridgePlatform(),
  store: { get: (key) => store.get(key), set: (key, value) => store.set(key, value), delete: (key) => store.delete(key) },
  ...(args.kubeconfig ? { kubeconfigPaths: [resolve(args.kubeconfig)] } : {}),
});
const bridge = await startDevBridge({ api, staticDir, port }).catch((error: unknown) => fail(`cannot listen: ${(error as Error).message}`));
process.stdout.write(`${JSON.stringify({ ready: true, url: bridge.url })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await bridge.close();
  await api.dispose();
  if (temporaryProfile) rmSync(profile, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
