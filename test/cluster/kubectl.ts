import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real kubectl against a kubeconfig with a private HOME beside it, so
 * its discovery cache never mixes clusters (each stand-in has a fresh port and
 * CA) and goes away with the kubeconfig's directory.
 */
export function kubectlRunner(kubeconfigPath: string): (args: readonly string[]) => Promise<KubectlResult> {
  const home = join(dirname(kubeconfigPath), 'kubectl-home');
  mkdirSync(home, { recursive: true });
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfigPath, ...args],
        { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home }, timeout: 20_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') {
            reject(error);
            return;
          }
          resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
        },
      );
    });
}
