import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

// Tokens and keys must never reach a log. Request records are built field by
// field (never whole header objects), and these paths are censored anyway in
// case a future call site passes something it should not.
const redactPaths = [
  'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie',
  'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie',
  'key', '*.key', 'privateKey', '*.privateKey',
];

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'gatepass-gateway' }, redact: { paths: redactPaths, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
