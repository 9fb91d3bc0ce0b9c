// Idle consoles: open many, let them sit, and read what they cost the process
// that relays them — Gatepass (one Node process; over a TLS upstream as
// deployed, and over plain HTTP to show the relay's own cost without TLS) or
// websockify (a process per console) — from /proc, and Gatepass's heap from
// its Prometheus metrics.
import WebSocket from 'ws';
import { vncPath } from '../../../shared/kubevirt-paths.ts';
import { treeUsage, type TreeUsage } from '../lib/proc-stats.ts';
import type { Stack, Upstream } from './stack.ts';

/**
 * Where a gateway's memory is, by its own metrics (no collection is forced: the
 * gateway runs as deployed). RSS beyond the heap held and external is native:
 * sockets, OpenSSL, malloc.
 */
export interface GatewayMemory {
  /** V8 heap held, used or not: what RSS pays for the heap. */
  heapKiB: number;
  /** The part of it that is the young generation, which V8 grows up to a fixed cap under load of any kind. */
  youngKiB: number;
  /** Heap in use outside the young generation: objects that survived, such as every open console's. */
  oldInUseKiB: number;
  /** Outside the heap but known to V8: ArrayBuffers. */
  externalKiB: number;
}

export interface IdleResult {
  consoles: number;
  openSeconds: number;
  idleSeconds: number;
  before: TreeUsage;
  open: TreeUsage;
  afterClose: TreeUsage;
  rssPerConsoleKiB: number;
  pssPerConsoleKiB: number;
  /** CPU time over the idle window, as a share of one core. */
  idleCpuPercent: number;
  /** Gatepass only: (open − before) ÷ consoles. */
  memoryPerConsole?: GatewayMemory;
}

export interface IdleResults {
  /** Over a TLS upstream, as deployed: the figure issue 8's target judges. */
  gatepass: IdleResult;
  gatepassPlain: IdleResult;
  /** The relay from before issue 8 (`--idle-baseline <commit>`), TLS upstream, in the same run. */
  baseline?: { ref: string; result: IdleResult };
  websockify: IdleResult;
}

interface ConsoleRequest {
  url: string;
  protocols: string[];
}

const OPEN_CONCURRENCY = 32;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the console has shown its RFB version: the whole path to the VNC server is open. */
function openConsole(request: ConsoleRequest): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(request.url, request.protocols, { perMessageDeflate: false });
    const fail = (why: string): void => {
      ws.terminate();
      reject(new Error(`console ${request.url}: ${why}`));
    };
    const timer = setTimeout(() => fail('no RFB version within 15 s'), 15_000);
    ws.once('message', (data) => {
      clearTimeout(timer);
      if (!/^RFB 003\.00\d\n$/.test((data as Buffer).toString('latin1'))) return fail(`unexpected first bytes ${JSON.stringify((data as Buffer).toString('latin1'))}`);
      ws.removeAllListeners('close');
      ws.removeAllListeners('error');
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      fail(`closed with ${code} ${reason.toString()}`);
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      fail(err.message);
    });
  });
}

async function openAll(requests: readonly ConsoleRequest[]): Promise<WebSocket[]> {
  const open: WebSocket[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) open.push(await openConsole(requests[next++]!));
  };
  try {
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
  } catch (err) {
    for (const ws of open) ws.terminate();
    throw err;
  }
  return open;
}

/** From the default Node metrics a gateway exports (prom-client, prefix gatepass_gateway_). */
async function gatewayMemory(metricsUrl: string): Promise<GatewayMemory> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const kib = (series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`gatepass_gateway_${series} `));
    if (line === undefined) throw new Error(`the gateway's metrics have no gatepass_gateway_${series}`);
    return Number(line.slice(line.lastIndexOf(' ') + 1)) / 1024;
  };
  const young = (figure: 'total' | 'used'): number =>
    kib(`nodejs_heap_space_size_${figure}_bytes{space="new"}`) + kib(`nodejs_heap_space_size_${figure}_bytes{space="new_large_object"}`);
  return {
    heapKiB: kib('nodejs_heap_size_total_bytes'),
    youngKiB: young('total'),
    oldInUseKiB: kib('nodejs_heap_size_used_bytes') - young('used'),
    externalKiB: kib('nodejs_external_memory_bytes'),
  };
}

async function measure(pid: number, requests: readonly ConsoleRequest[], idleSeconds: number, metricsUrl?: string): Promise<IdleResult> {
  await sleep(1000);
  const before = treeUsage(pid);
  const memoryBefore = metricsUrl ? await gatewayMemory(metricsUrl) : undefined;
  const started = performance.now();
  const consoles = await openAll(requests);
  const openSeconds = (performance.now() - started) / 1000;
  try {
    await sleep(2000);
    const idleStart = treeUsage(pid);
    await sleep(idleSeconds * 1000);
    const open = treeUsage(pid);
    const memoryOpen = metricsUrl ? await gatewayMemory(metricsUrl) : undefined;
    const n = consoles.length;
    const perConsole = (figure: keyof GatewayMemory): number => (memoryOpen![figure] - memoryBefore![figure]) / n;
    return {
      consoles: n,
      openSeconds,
      idleSeconds,
      before,
      open,
      afterClose: await closeAll(consoles, pid),
      rssPerConsoleKiB: (open.rssKiB - before.rssKiB) / n,
      pssPerConsoleKiB: (open.pssKiB - before.pssKiB) / n,
      idleCpuPercent: ((open.cpuMs - idleStart.cpuMs) / (idleSeconds * 1000)) * 100,
      ...(memoryOpen ? {
        memoryPerConsole: { heapKiB: perConsole('heapKiB'), youngKiB: perConsole('youngKiB'), oldInUseKiB: perConsole('oldInUseKiB'), externalKiB: perConsole('externalKiB') },
      } : {}),
    };
  } finally {
    for (const ws of consoles) ws.terminate();
  }
}

async function closeAll(consoles: readonly WebSocket[], pid: number): Promise<TreeUsage> {
  for (const ws of consoles) ws.close(1000);
  const deadline = Date.now() + 10_000;
  while (consoles.some((ws) => ws.readyState !== ws.CLOSED) && Date.now() < deadline) await sleep(100);
  await sleep(1500);
  return treeUsage(pid);
}

/**
 * On a fresh gateway of its own, whose heap no load has grown yet, so the consoles'
 * memory is not hidden in it; `builtRoot` runs another build (an older relay).
 */
export async function benchIdleGatepass(stack: Stack, count: number, idleSeconds: number, upstream: Upstream, builtRoot?: string): Promise<IdleResult> {
  const vms = stack.idleVms.slice(0, count);
  if (vms.length < count) throw new Error(`only ${vms.length} VMs for ${count} idle consoles`);
  const gateway = await stack.startGateway(`idle consoles, ${upstream === 'tls' ? 'TLS' : 'plain HTTP'} upstream${builtRoot ? ', baseline build' : ''}`, upstream, builtRoot);
  try {
    const base = gateway.url.replace(/^http:/, 'ws:');
    const requests = await Promise.all(vms.map(async ({ namespace, name }) => {
      const path = vncPath(namespace, name);
      const link = await stack.sign({ urls: [path] });
      return { url: `${base}/k8s${path}`, protocols: ['plain.kubevirt.io', `base64url.bearer.authorization.k8s.io.${Buffer.from(link).toString('base64url')}`] };
    }));
    return await measure(gateway.pid, requests, idleSeconds, gateway.metricsUrl);
  } finally {
    await gateway.stop();
  }
}

export function benchIdleWebsockify(stack: Stack, count: number, idleSeconds: number): Promise<IdleResult> {
  const requests = Array.from({ length: count }, () => ({ url: `${stack.websockify.url}/`, protocols: ['binary'] }));
  return measure(stack.websockify.pid, requests, idleSeconds);
}
