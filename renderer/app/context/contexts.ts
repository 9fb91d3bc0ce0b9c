// The context switcher: which context to start in, and how its connection reads.

import type { ContextInfo } from '../../../shared/desktop-api.ts';

/** The remembered context when it still exists, else the kubeconfig's current one, else the first. */
export function pickContext(contexts: readonly ContextInfo[], remembered: string | null | undefined): string | undefined {
  if (remembered && contexts.some((c) => c.name === remembered)) return remembered;
  return (contexts.find((c) => c.current) ?? contexts[0])?.name;
}

/** How a context's connection reads; a failed one is said by the error wording instead (ContextSwitcher). */
export function connectionLabel(context: ContextInfo): string {
  switch (context.state) {
    case 'unknown': return 'Not connected yet';
    case 'connecting': return 'Connecting…';
    case 'connected': return 'Connected';
    case 'error': return 'Connection failed';
  }
}
