// What a benchmark ran on, so figures are never quoted without their machine.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** The first non-empty line a tool prints about itself; some (Xvnc -version) print it on stderr. */
function firstLine(command: string, args: readonly string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  return `${run.stdout ?? ''}\n${run.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown';
}

export function describeMachine(tools: Record<string, [string, string[]]>): string[] {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; kernel ${os.type()} ${os.release()}`,
    `- Node ${process.version}`,
    ...Object.entries(tools).map(([name, [command, args]]) => `- ${name}: ${firstLine(command, args)}`),
  ];
}
