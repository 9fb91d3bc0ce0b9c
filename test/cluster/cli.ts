/**
 * `npm run cluster -- --kubeconfig <path> [--port N] [--fixture <file>] [--plain-http] [--verbose]`
 * Runs the stand-in in the foreground. stdout carries exactly one line, the
 * ready JSON (with `plainServer` under --plain-http); everything else goes to stderr.
 */
import { resolve } from 'node:path';
import { loadFixtureFile } from './fixture.ts';
import { startCluster } from './server.ts';

interface CliOptions {
  kubeconfig: string;
  port: number;
  fixture?: string;
  verbose: boolean;
  plainHttp: boolean;
}

const USAGE = 'usage: npm run cluster -- --kubeconfig <path> [--port <n>] [--fixture <file.json|yaml>] [--plain-http] [--verbose]';

export function parseArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string>();
  let verbose = false;
  let plainHttp = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
    const name = match[1]!;
    if (name === 'verbose') {
      verbose = true;
      continue;
    }
    if (name === 'plain-http') {
      plainHttp = true;
      continue;
    }
    if (!['kubeconfig', 'port', 'fixture'].includes(name)) throw new Error(`unknown option --${name}\n${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${name} needs a value\n${USAGE}`);
    values.set(name, value);
  }
  const kubeconfig = values.get('kubeconfig');
  if (!kubeconfig) throw new Error(`--kubeconfig is required\n${USAGE}`);
  const portText = values.get('port') ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got ${JSON.stringify(portText)}`);
  const fixture = values.get('fixture');
  return { kubeconfig: resolve(kubeconfig), port, verbose, plainHttp, ...(fixture ? { fixture: resolve(fixture) } : {}) };
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const log = (line: string): void => console.error(`[cluster] ${line}`);
  const fixture = options.fixture ? await loadFixtureFile(options.fixture) : undefined;
  const cluster = await startCluster({
    port: options.port,
    kubeconfigPath: options.kubeconfig,
    ...(fixture ? { fixture } : {}),
    ...(options.verbose ? { log } : {}),
    plainHttp: options.plainHttp,
  });
  log(`serving ${[cluster.server, cluster.plainServer].filter(Boolean).join(' and ')}; contexts ${Object.keys(cluster.credentials).join(', ')}; kubeconfig ${cluster.kubeconfigPath}`);
  const plain = cluster.plainServer ? { plainServer: cluster.plainServer } : {};
  process.stdout.write(JSON.stringify({ ready: true, server: cluster.server, ...plain, kubeconfig: cluster.kubeconfigPath }) + '\n');

  const stop = (signal: string): void => {
    log(`${signal}: shutting down`);
    cluster.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(`cluster stand-in failed to start: ${(e as Error).message}`);
  process.exit(1);
});
