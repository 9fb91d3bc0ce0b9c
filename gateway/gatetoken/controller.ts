// Wires the GateToken controller: campaign for the Lease, and only while
// leading watch GateTokens and sign them. Losing the Lease ends the
// controller (the CLI exits and Kubernetes restarts it as a follower), so a
// former leader never keeps writing beside the new one.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createLogger, type Logger } from '../log.ts';
import { createUpstream } from '../upstream.ts';
import { ControllerConfigError, parseControllerArgs, renderControllerHelp, type ControllerConfig } from './config.ts';
import { GROUP, PLURAL, VERSION, type GateToken } from './gatetoken.ts';
import { startInformer, type Informer } from './informer.ts';
import { createKubeClient } from './kube-client.ts';
import { kubeLeaseApi, startElector, type ElectionEnd } from './leader-elector.ts';
import { createReconciler, type Reconciler } from './reconciler.ts';

export interface RunningController {
  /** Resolves when this instance starts reconciling. */
  readonly leading: Promise<void>;
  /** `lost`: the Lease went to another instance; `stopped`: stop() was called. */
  readonly done: Promise<ElectionEnd>;
  isLeader(): boolean;
  /** Resolves once every GateToken seen so far has been handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  logDestination?: NodeJS.WritableStream;
}

export function startController(config: ControllerConfig, options: ControllerOptions = {}): RunningController {
  const log: Logger = createLogger(config.logLevel, options.logDestination).child({ component: 'gatetoken-controller', identity: config.identity });
  const caPem = config.apiServerCaFile === '' ? undefined : readRequired(config.apiServerCaFile, "the API server's CA file");
  const upstream = createUpstream({
    apiServer: config.apiServer.href,
    skipVerifyTls: config.apiServerSkipVerifyTls,
    bearerTokenFile: config.apiServerBearerTokenFile,
    ...(caPem !== undefined ? { caPem } : {}),
  });
  const client = createKubeClient(upstream);
  const elector = startElector({
    identity: config.identity,
    timing: config.timing,
    lease: kubeLeaseApi(client, config.namespace, config.leaseName),
    log,
  });

  let informer: Informer | undefined;
  let reconciler: Reconciler | undefined;
  let stopped = false;
  const stopReconciling = (): void => {
    stopped = true;
    informer?.stop();
    reconciler?.stop();
  };

  void elector.leading.then(() => {
    if (stopped) return;
    reconciler = createReconciler({ client, log, maxLifetimeMs: config.maxTokenLifetimeMs, defaultSecret: config.defaultSecret, retryMs: config.retryMs });
    const queue = reconciler;
    informer = startInformer<GateToken>({ client, collection: `/apis/${GROUP}/${VERSION}/${PLURAL}`, log, onObject: (token) => queue.enqueue(token) });
  });
  const done = elector.done.then((end) => {
    stopReconciling();
    upstream.agent.destroy();
    return end;
  });

  return {
    leading: elector.leading,
    done,
    isLeader: elector.isLeader,
    idle: () => reconciler?.idle() ?? Promise.resolve(),
    async stop() {
      // Stop writing before handing the Lease over, so the next leader never overlaps with this one.
      stopReconciling();
      await elector.stop();
      await done;
    },
  };
}

function readRequired(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ControllerConfigError(`cannot read ${what} ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `gatepass-gateway gatetoken-controller [flags]`; exits 2 on a configuration mistake, 1 when the Lease is lost. */
export function main(argv: readonly string[]): void {
  let controller: RunningController;
  try {
    const parsed = parseControllerArgs(argv, {
      namespace: process.env['POD_NAMESPACE'] || readOptional('/var/run/secrets/kubernetes.io/serviceaccount/namespace'),
      identity: process.env['POD_NAME'] || `${hostname()}_${process.pid}`,
    });
    if (parsed.help) {
      process.stdout.write(renderControllerHelp());
      process.exit(0);
    }
    controller = startController(parsed.config);
  } catch (error) {
    if (!(error instanceof ControllerConfigError)) throw error;
    process.stderr.write(`gatepass-gateway gatetoken-controller: ${error.message}\n`);
    process.exit(2);
  }
  const stop = (): void => void controller.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  void controller.done.then((end) => process.exit(end === 'lost' ? 1 : 0));
}
