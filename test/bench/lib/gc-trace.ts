// Full garbage collections of a Node process started with --trace-gc. V8
// writes one line per collection to the process's stdout (not stderr), e.g.
// `[pid:0x…]  1234 ms: Mark-Compact 56.7 (74.0) -> 47.7 (82.1) MB, …`, flushed
// as it happens; the bench sends that stdout to a log file and counts the
// lines a measurement window added to it: full collections are what issue 8
// forbids while relaying, minor ones show how much garbage the relay makes.
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** "Mark-Compact" and "Mark-Compact (reduce)" are full collections; "Minor Mark-Compact" (young generation) is not. */
const FULL_GC = / ms: Mark-Compact\b/;
/** Young-generation collections: how much short-lived garbage the process made. */
const MINOR_GC = / ms: (Scavenge|Minor Mark-Compact)\b/;

export interface Collections {
  full: number;
  minor: number;
}

/** The log file's length now: a window's start or end. */
export function logOffset(file: string): number {
  return statSync(file).size;
}

/** Collections logged in `file` between two offsets from `logOffset`. */
export async function collectionsBetween(file: string, from: number, to: number): Promise<Collections> {
  const length = to - from;
  if (length <= 0) return { full: 0, minor: 0 };
  const handle = await open(file, 'r');
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await handle.read(bytes, 0, length, from);
    const lines = bytes.subarray(0, bytesRead).toString('utf8').split('\n');
    return { full: lines.filter((l) => FULL_GC.test(l)).length, minor: lines.filter((l) => MINOR_GC.test(l)).length };
  } finally {
    await handle.close();
  }
}
