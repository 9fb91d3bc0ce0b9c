import type { Spread } from './stats.ts';

const NUMBER = String.raw`[-+]?[\d.,]+( ?[a-zA-Z%×/µ]+)?`;
/** A number with an optional unit, optionally followed by its spread in parentheses: right-aligned. */
const NUMERIC = new RegExp(`^${NUMBER}( \\(${NUMBER}–${NUMBER}\\))?$|^—$`);

/** A Markdown table with right-aligned numbers, readable as plain text too. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => NUMERIC.test(r[i] ?? '')));
  const cell = (text: string, i: number): string => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => cell(c, i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `median unit (min–max)`, or just the value when every repeat gave the same. */
export function fixedSpread(s: Spread, digits: number, unit = ''): string {
  const median = `${fixed(s.median, digits)}${unit}`;
  const min = fixed(s.min, digits);
  const max = fixed(s.max, digits);
  return min === max ? median : `${median} (${min}–${max})`;
}

/** `1 run`, `3 runs`. */
export function counted(n: number, noun: string): string {
  return `${fixed(n, 0)} ${noun}${n === 1 ? '' : 's'}`;
}
