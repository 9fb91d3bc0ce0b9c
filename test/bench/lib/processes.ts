// Child processes of a benchmark run: every one is registered on spawn so that
// a run that fails half-way still ends each of them, by its own pid.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** The tail of what it wrote on stdout and stderr (when piped), for error messages. */
  output(): string;
}

const OUTPUT_LIMIT = 64 * 1024;

export class ProcessGroup {
  private readonly children: Child[] = [];

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Child {
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    if (proc.pid === undefined) throw new Error(`cannot start ${name} (${command})`);
    let captured = '';
    const keep = (chunk: Buffer): void => {
      captured = (captured + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    // Both pipes are always drained: a child blocked on a full pipe would stall the very thing being measured.
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('error', (err) => keep(Buffer.from(`\n[spawn error] ${err.message}\n`)));
    const child: Child = { name, process: proc, pid: proc.pid, output: () => captured };
    this.children.push(child);
    return child;
  }

  /** SIGTERM to each child still running, SIGKILL to whichever has not gone after `graceMs`. */
  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all(this.children.filter(running).map((c) => terminate(c, graceMs)));
    this.children.length = 0;
  }

  /** The same for one child, which a phase started for itself. */
  async stop(child: Child, graceMs = 3000): Promise<void> {
    const index = this.children.indexOf(child);
    if (index >= 0) this.children.splice(index, 1);
    if (running(child)) await terminate(child, graceMs);
  }

  /** Last resort on process exit: synchronous, no waiting. */
  killAllNow(): void {
    for (const c of this.children.filter(running)) c.process.kill('SIGKILL');
  }
}

const running = (child: Child): boolean => child.process.exitCode === null && child.process.signalCode === null;

async function terminate(child: Child, graceMs: number): Promise<void> {
  const exited = once(child.process, 'exit');
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resolves with the first stdout line that matches, or rejects when the child exits or the time is up. */
export function waitForLine(child: Child, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const stdout = child.process.stdout;
  if (!stdout) return Promise.reject(new Error(`${child.name}: stdout is not piped`));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const cleanup = (): void => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.process.off('exit', onExit);
    };
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        const match = pattern.exec(line);
        if (match) {
          cleanup();
          resolve(match);
          return;
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${child.name} exited (${code}) before printing ${pattern}: ${child.output().slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${child.name} did not print ${pattern} within ${timeoutMs} ms: ${child.output().slice(-2000)}`));
    }, timeoutMs);
    stdout.on('data', onData);
    child.process.once('exit', onExit);
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls until something accepts TCP connections on the port. */
export async function waitForPort(port: number, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} to listen on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
