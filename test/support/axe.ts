// axe-core over a page in the end-to-end tests: WCAG 2.1 A and AA rules plus
// axe's best practices (landmarks, headings), and a failure that lists every
// serious or critical violation in words a person can act on (rule, impact,
// the elements, where the rule is explained).
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { Result } from 'axe-core';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

const BLOCKING = new Set(['serious', 'critical']);

export interface AxeCheck {
  /** Names the view or state in the failure, e.g. "share dialog after issuing". */
  what: string;
}

/** The violations that fail a test: serious and critical ones. */
export function blockingViolations(violations: readonly Result[]): Result[] {
  return violations.filter((violation) => violation.impact != null && BLOCKING.has(violation.impact));
}

/** One line per violation and one per element, so a failure says what to fix without a rerun. */
export function describeViolations(what: string, violations: readonly Result[]): string {
  const lines = [`${violations.length} serious or critical accessibility violation(s) in ${what}:`];
  for (const violation of violations) {
    lines.push(`- ${violation.id} (${violation.impact}): ${violation.help} — ${violation.helpUrl}`);
    for (const node of violation.nodes) {
      lines.push(`    ${node.target.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' >> ')}`);
      if (node.failureSummary) lines.push(`      ${node.failureSummary.replace(/\s*\n\s*/g, ' ')}`);
    }
  }
  return lines.join('\n');
}

/** Runs axe on the page as it is now; throws with the list when anything serious or critical is found. */
export async function expectAccessible(page: Page, check: AxeCheck): Promise<void> {
  // Nothing is excluded, the VM's screen included: noVNC's canvas sits in a labelled `application` region axe accepts.
  const results = await new AxeBuilder({ page }).withTags([...AXE_TAGS]).analyze();
  const blocking = blockingViolations(results.violations);
  if (blocking.length > 0) throw new Error(describeViolations(check.what, blocking));
}
