// Many open consoles need many file descriptors. Node cannot raise its own
// limit, so a run that starts with a low soft limit re-executes itself through
// a shell that raises it to the hard limit first; children inherit it.
import { execFileSync, spawn } from 'node:child_process';

const MARK = 'GATEPASS_BENCH_FD_RAISED';

function softLimit(): number {
  const text = execFileSync('/bin/sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8' }).trim();
  return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
}

/**
 * Returns when this process may open `needed` descriptors. Otherwise runs this
 * same command again under `ulimit -n <hard>` and exits with its exit code
 * (never returns).
 */
export async function ensureFdLimit(needed: number): Promise<void> {
  const soft = softLimit();
  if (soft >= needed) return;
  if (process.env[MARK]) {
    throw new Error(`the open-file limit is ${soft} even after raising it to the hard limit; ${needed} are needed (raise the hard limit: ulimit -Hn)`);
  }
  const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [MARK]: '1' },
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exit(code);
}
