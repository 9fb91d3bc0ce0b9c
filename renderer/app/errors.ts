// Every failure reaches a person as a DesktopError with a message, whatever threw it.

import { isDesktopError } from '../../shared/desktop-api.ts';
import type { DesktopError } from '../../shared/desktop-api.ts';

export function asDesktopError(error: unknown): DesktopError {
  if (isDesktopError(error)) return error;
  if (error instanceof Error) return { code: 'internal', message: error.message || error.name };
  return { code: 'internal', message: `Unexpected failure: ${String(error)}` };
}
