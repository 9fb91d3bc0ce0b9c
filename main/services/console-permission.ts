// Whether the operator may open a VM's console themselves, asked of the API
// server with their own credentials (a SelfSubjectAccessReview for exactly that
// VM, namespace and subresource). Reading the signing key says "may issue
// links"; this says "may issue a link to this console": a link never lends
// more than its issuer holds.
import {
  canIQuestion, consoleQuestion, describeQuestion, readAccessReview, selfSubjectAccessReview, SELF_SUBJECT_ACCESS_REVIEW_PATH,
  type ConsoleSubresource,
} from '../../shared/access-review.ts';
import { DesktopFailure } from './errors.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';

export interface ConsoleRef {
  namespace: string;
  name: string;
  subresource: ConsoleSubresource;
}

const CONSOLE_WORDS: Record<ConsoleSubresource, string> = { vnc: 'console', console: 'serial console' };

/** Resolves when the operator may open the console; a `forbidden` DesktopFailure in words otherwise. */
export async function checkConsolePermission(client: KubeClient, target: ConsoleRef): Promise<void> {
  const question = consoleQuestion(target.namespace, target.name, target.subresource);
  let answer: unknown;
  try {
    answer = await client.request('POST', SELF_SUBJECT_ACCESS_REVIEW_PATH, selfSubjectAccessReview(question));
  } catch (error) {
    if (httpStatusOf(error) !== 403) throw error;
    throw new DesktopFailure('forbidden', `the cluster of context "${client.context}" does not let you ask whether you may open the ${CONSOLE_WORDS[target.subresource]} of ${target.name} in ${target.namespace}, so no link to it can be issued`, client.context);
  }
  const verdict = readAccessReview(answer);
  if (verdict.allowed) return;
  // Worded as the reason, so it reads alone (a tray notification) and under the share dialog's heading.
  throw new DesktopFailure(
    'forbidden',
    `the API server does not let you (context "${client.context}") ${describeQuestion(question)}${verdict.reason ? ` (${verdict.reason})` : ''}, ` +
      `and a link may only lend a ${CONSOLE_WORDS[target.subresource]} its issuer may open. \`${canIQuestion(question)}\` asks the same question.`,
    client.context,
  );
}
