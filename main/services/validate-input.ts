// Everything that arrives from the renderer is untrusted: checked here and
// refused with an invalid-input DesktopError that says what is wrong.
import { dnsLabelProblem } from '../../shared/dns-label.ts';
import { parseDuration } from '../../shared/duration.ts';
import { CONSOLE_KINDS, type ConsoleKind } from '../../shared/kubevirt-paths.ts';
import { DesktopFailure } from './errors.ts';

/** The longest link lifetime the app offers. */
export const MAX_LIFETIME_MS = 168 * 3600_000;
export const MAX_TEXT = 256;

export function invalid(message: string): DesktopFailure {
  return new DesktopFailure('invalid-input', message);
}

export function requireString(value: unknown, what: string, max = MAX_TEXT): string {
  if (typeof value !== 'string') throw invalid(`${what} must be text`);
  if (value.length > max) throw invalid(`${what} is longer than ${max} characters`);
  return value;
}

export function requireLabel(value: unknown, what: string): string {
  const problem = dnsLabelProblem(value);
  if (problem !== undefined) throw invalid(`${what} ${typeof value === 'string' ? JSON.stringify(value) : ''} is not a valid Kubernetes name: it ${problem}`.replace('  ', ' '));
  return value as string;
}

/** A kubeconfig context name: any non-empty text without control characters. */
export function requireContextName(value: unknown): string {
  const name = requireString(value, 'the context name', 1024);
  if (name === '' || /\p{Cc}/u.test(name)) throw invalid('the context name must be non-empty text without control characters');
  return name;
}

export function requireBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw invalid(`${what} must be true or false`);
  return value;
}

/** A Go duration of at least one second and at most 168h. */
export function requireLifetime(value: unknown, what = 'the lifetime'): string {
  const text = requireString(value, what, 64).trim();
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw invalid(`${what}: ${(error as Error).message}`);
  }
  if (ms < 1000) throw invalid(`${what} ${JSON.stringify(text)} is shorter than one second`);
  if (ms > MAX_LIFETIME_MS) throw invalid(`${what} ${JSON.stringify(text)} is longer than the maximum of 168h (one week)`);
  return text;
}

/** A Secret data key: letters, digits, '-', '_' and '.'. */
export function requireSecretKey(value: unknown, what: string): string {
  const key = requireString(value, what, 253);
  if (!/^[-._a-zA-Z0-9]+$/.test(key) || key === '.' || key === '..') throw invalid(`${what} ${JSON.stringify(key)} is not a valid Secret key (letters, digits, "-", "_" and ".")`);
  return key;
}

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** An optional free-text label: no control characters. */
export function optionalLabelText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  const text = requireString(value, what).trim();
  if (/\p{Cc}/u.test(text)) throw invalid(`${what} contains a control character`);
  return text === '' ? undefined : text;
}

const KIND_NAMES = CONSOLE_KINDS.map((kind) => JSON.stringify(kind)).join(' or ');

/** One console kind: `vnc` (the screen) or `serial`. */
export function requireConsoleKind(value: unknown, what: string): ConsoleKind {
  if (typeof value === 'string' && (CONSOLE_KINDS as readonly string[]).includes(value)) return value as ConsoleKind;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw invalid(`${what} must be ${KIND_NAMES}, not ${shown}`);
}

/** The consoles a link opens: a non-empty list of distinct kinds, in the canonical order (screen first). */
export function requireConsoleKinds(value: unknown, what: string): ConsoleKind[] {
  if (!Array.isArray(value)) throw invalid(`${what} must be a list of consoles (${KIND_NAMES})`);
  if (value.length === 0) throw invalid(`${what} is empty: a link must open at least one console (${KIND_NAMES})`);
  if (value.length > CONSOLE_KINDS.length) throw invalid(`${what} lists ${value.length} consoles; a VM has ${CONSOLE_KINDS.length}`);
  const kinds = value.map((item) => requireConsoleKind(item, `each of ${what}`));
  const repeated = kinds.find((kind, i) => kinds.indexOf(kind) !== i);
  if (repeated !== undefined) throw invalid(`${what} lists ${JSON.stringify(repeated)} twice`);
  return CONSOLE_KINDS.filter((kind) => kinds.includes(kind));
}
