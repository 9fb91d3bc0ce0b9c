// Why the share dialog will not offer a link: main's reason as a sentence, under
// a heading that says what it means for sharing when the reason alone does not.

import type { SharePermission } from '../../../shared/desktop-api.ts';

export interface RefusalWords {
  heading?: string;
  reason: string;
}

const sentence = (text: string) => (text === '' ? text : `${text[0]!.toUpperCase()}${text.slice(1)}`);

/** The words for a refusal; undefined when sharing is allowed. */
export function refusalWords(permission: SharePermission): RefusalWords | undefined {
  if (permission.allowed) return undefined;
  const reason = sentence(permission.error.message);
  // Main's signing-key refusal already opens with "you may not issue links in this cluster".
  return permission.why === 'console' ? { heading: "You may not open this VM's console, so you cannot share it.", reason } : { reason };
}
