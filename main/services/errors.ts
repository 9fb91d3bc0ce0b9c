// Every failure a service reports is a DesktopError: a stable code for the
// renderer to branch on and a sentence for a person. Services throw
// DesktopFailure (an Error, so stacks survive in logs); the API boundary turns
// it into the plain object that crosses IPC.
import type { DesktopError } from '../../shared/desktop-api.ts';

export class DesktopFailure extends Error implements DesktopError {
  override name = 'DesktopFailure';
  readonly code: DesktopError['code'];
  readonly context?: string;

  constructor(code: DesktopError['code'], message: string, context?: string) {
    super(message);
    this.code = code;
    if (context !== undefined) this.context = context;
  }

  toJSON(): DesktopError {
    return plainError(this.code, this.message, this.context);
  }
}

function plainError(code: DesktopError['code'], message: string, context?: string): DesktopError {
  return context === undefined ? { code, message } : { code, message, context };
}

export function fail(code: DesktopError['code'], message: string, context?: string): never {
  throw new DesktopFailure(code, message, context);
}

/** Any thrown value as the plain object that crosses IPC; unknown errors become `internal`. */
export function toDesktopError(error: unknown, context?: string): DesktopError {
  if (error instanceof DesktopFailure) return plainError(error.code, error.message, error.context ?? context);
  if (typeof error === 'object' && error !== null && typeof (error as DesktopError).code === 'string' && typeof (error as DesktopError).message === 'string' && isCode((error as DesktopError).code)) {
    const e = error as DesktopError;
    return plainError(e.code, e.message, e.context ?? context);
  }
  const network = networkError(error, context);
  if (network) return network;
  return plainError('internal', error instanceof Error ? error.message : String(error), context);
}

const CODES = new Set<string>(['invalid-input', 'not-found', 'forbidden', 'unauthorized', 'unreachable', 'kubeconfig', 'gateway', 'unsupported', 'internal']);

function isCode(code: string): code is DesktopError['code'] {
  return CODES.has(code);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;

/** Socket and TLS errors in words a person can act on. */
export function networkError(error: unknown, context?: string, what = 'the server'): DesktopError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNREACHABLE.has(code)) return plainError('unreachable', `cannot reach ${what}: ${error.message}`, context);
  if (TLS.test(code)) return plainError('unreachable', `the certificate of ${what} is not trusted: ${error.message}`, context);
  return undefined;
}
