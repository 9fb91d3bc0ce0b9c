// Full garbage collections of a Node process started with --trace-gc. V8
// writes one line per collection to the process's stdout (not stderr), e.g.
// `[pid:0x…]  1234 ms: Mark-Compact 56.7 (74.0) -> 47.7 (82.1) MB, …`, flushed
// as it happens; the bench sends that stdout to a log file and counts the
// lines a measurement window added to it.
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** "Mark-Compact" and "Mark-Compact (reduce)" are full collections; "Minor Mark-Compact" (young generation) is not. */
const FULL_GC = / ms: Mark-Compact\b/;

/** The log file's length now: a window's start or end. */
export function logOffset(file: string): number {
  return statSync(file).size;
}

/** Full collections logged in `file` between two offsets from `logOffset`. */
export async function markCompactsBetween(file: string, from: number, to: number): Promise<number> {
  const length = to - from;
  if (length <= 0) return 0;
  const handle = await open(file, 'r');
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await handle.read(bytes, 0, length, from);
    return bytes.subarray(0, bytesRead).toString('utf8').split('\n').filter((line) => FULL_GC.test(line)).length;
  } finally {
    await handle.close();
  }
}
