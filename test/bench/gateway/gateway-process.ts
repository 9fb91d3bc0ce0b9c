// The gateway as it is deployed: built (`npm run build:gateway`) and run as
// `node dist/gateway/cli.js`, never through tsx (whose loader would be part of
// what is measured). Started with --trace-gc, so a measurement can count the
// full collections it caused, and with --cpu-prof under `--profile`.
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil, type ProcessGroup } from '../lib/processes.ts';
import { httpStatus } from './http-check.ts';

export interface GatewayProcess {
  /** What it served, for reports and profiles: "relay, TLS upstream". */
  label: string;
  url: string;
  /** Its Prometheus port (`--metrics-listen`, on as deployed): the idle phase reads the heap figures there. */
  metricsUrl: string;
  pid: number;
  /** Its stdout: the JSON request log (level info, as deployed) and V8's --trace-gc lines. */
  logFile: string;
  stop(): Promise<void>;
}

export interface GatewayLaunch {
  label: string;
  /** The folder holding the built dist/gateway/cli.js (and node_modules). */
  builtRoot: string;
  /** The stand-in's https:// or http:// address. */
  apiServer: string;
  caFile: string;
  tokenFile: string;
  port: number;
  metricsPort: number;
  logFile: string;
  /** Write a V8 CPU profile into this folder when it exits. */
  profileDir?: string;
}

export interface BuiltGateway {
  /** Where dist/gateway/cli.js is. */
  root: string;
  /** What was built, for the report: the commit, and whether uncommitted changes were in it. */
  source: string;
  remove(): Promise<void>;
}

const run = (command: string, args: readonly string[], cwd: string): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout.trim());
    });
  });

/**
 * Compiles the gateway as the image does, so the bench never measures a stale
 * dist/: from the working tree, or — while someone's uncommitted changes
 * there are half done — from a commit, exported into a scratch folder that
 * borrows this checkout's node_modules.
 */
export async function buildGateway(repoRoot: string, ref?: string): Promise<BuiltGateway> {
  if (ref === undefined) {
    await run('npm', ['run', '--silent', 'build:gateway'], repoRoot);
    const head = await run('git', ['rev-parse', '--short', 'HEAD'], repoRoot);
    const dirty = (await run('git', ['status', '--porcelain', '--', 'gateway', 'shared'], repoRoot)) !== '';
    return { root: repoRoot, source: `working tree at ${head}${dirty ? ' with uncommitted changes in gateway/ or shared/' : ''}`, remove: async () => undefined };
  }
  const commit = await run('git', ['rev-parse', '--short', '--verify', `${ref}^{commit}`], repoRoot);
  const root = await mkdtemp(join(tmpdir(), 'gatepass-bench-gateway-'));
  try {
    const files = ['gateway', 'shared', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
    await run('/bin/sh', ['-c', 'out=$0 commit=$1; shift; git archive "$commit" "$@" | tar -x -C "$out"', root, commit, ...files], repoRoot);
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    await run('npm', ['run', '--silent', 'build:gateway'], root);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return { root, source: `commit ${commit} (${ref})`, remove: () => rm(root, { recursive: true, force: true }) };
}

export async function startBuiltGateway(processes: ProcessGroup, launch: GatewayLaunch): Promise<GatewayProcess> {
  const log = await open(launch.logFile, 'w');
  const nodeFlags = ['--trace-gc', ...(launch.profileDir ? ['--cpu-prof', '--cpu-prof-dir', launch.profileDir] : [])];
  const child = processes.spawn(`gateway (${launch.label})`, process.execPath, [
    ...nodeFlags,
    join(launch.builtRoot, 'dist/gateway/cli.js'),
    '--gateway-listen', `http://127.0.0.1:${launch.port}`,
    '--metrics-listen', `http://127.0.0.1:${launch.metricsPort}`,
    '--api-server', launch.apiServer,
    '--api-server-ca-file', launch.caFile,
    '--api-server-bearer-token-file', launch.tokenFile,
    '--shutdown-grace-period', '2s',
  ], { stdio: ['ignore', log.fd, 'pipe'] });
  await log.close();
  const url = `http://127.0.0.1:${launch.port}`;
  const exited = (): boolean => child.process.exitCode !== null;
  await waitUntil(async () => exited() || (await httpStatus(`${url}/readyz`)) === 200, `the gateway (${launch.label}) to become ready`, 30_000);
  if (exited()) throw new Error(`the gateway (${launch.label}) exited (${child.process.exitCode}): ${child.output().slice(-2000)}`);
  return { label: launch.label, url, metricsUrl: `http://127.0.0.1:${launch.metricsPort}`, pid: child.pid, logFile: launch.logFile, stop: () => processes.stop(child, 8000) };
}
