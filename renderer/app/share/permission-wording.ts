// Why the share dialog will not offer a link, as the attempt whose refusal it
// is: the error wording then says what it means for sharing in one sentence,
// with main's reason behind "Details".

import type { SharePermission } from '../../../shared/desktop-api.ts';
import type { Attempt } from '../error-wording.ts';

type Refused = Extract<SharePermission, { allowed: false }>;

export function refusalAttempt(why: Refused['why']): Attempt {
  return why === 'console' ? 'share-console' : 'share-signing-key';
}
