// An app started from a desktop launcher inherits a minimal PATH, so exec
// credential plugins (aws, gke-gcloud-auth-plugin, kubelogin…) installed by the
// person's shell profile are not found. The login shell knows the real PATH;
// ask it once, with a timeout so a slow or interactive profile cannot hang us.
import { execFile } from 'node:child_process';

export type ResolveLoginPath = () => Promise<string | undefined>;

export interface LoginPathOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

/** The login shell's PATH (`$SHELL -ilc 'printf %s "$PATH"'`), or undefined when it cannot be had. */
export function readLoginShellPath(options: LoginPathOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const shell = env.SHELL;
  if (platform === 'win32' || shell === undefined || !shell.startsWith('/')) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(shell, ['-ilc', 'printf %s "$PATH"'], { env, timeout: options.timeoutMs ?? 3000, encoding: 'utf8', maxBuffer: 64 * 1024 }, (error, stdout) => {
      // An interactive profile may print banners first; PATH is the last line.
      const path = error ? '' : (stdout.split('\n').at(-1) ?? '').trim();
      resolve(path.includes('/') ? path : undefined);
    });
  });
}

/** Asks once and remembers the answer (also a failure), so every exec plugin call is cheap. */
export function memoizeLoginPath(read: ResolveLoginPath): ResolveLoginPath {
  let answer: Promise<string | undefined> | undefined;
  return () => (answer ??= read());
}

/** The login shell's directories first, then any of ours it lacks. */
export function mergePaths(loginPath: string | undefined, ownPath: string | undefined): string | undefined {
  const parts = [...(loginPath ?? '').split(':'), ...(ownPath ?? '').split(':')].filter((p) => p !== '');
  return parts.length === 0 ? undefined : [...new Set(parts)].join(':');
}
