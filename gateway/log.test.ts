import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, isoTime } from './log.ts';

async function logged(write: (log: ReturnType<typeof createLogger>) => void): Promise<Record<string, unknown>> {
  const sink = new PassThrough();
  const log = createLogger('info', sink);
  write(log);
  const line = await new Promise<string>((resolve) => sink.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
  return JSON.parse(line) as Record<string, unknown>;
}

describe('the gateway log', () => {
  it('censors tokens, credentials and keys at the top, one level down and in req.headers', async () => {
    const record = {
      token: 'eyJ.secret.sig', authorization: 'Bearer secret', cookie: 'c=secret', key: 'secret', privateKey: 'secret',
      link: { token: 'secret', id: 'kept' },
      headers: { authorization: 'Bearer secret', cookie: 'secret', accept: 'kept' },
      req: { headers: { authorization: 'Bearer secret', cookie: 'secret' }, method: 'GET' },
      route: 'proxy',
    };
    const line = await logged((log) => log.info(record, 'request'));
    expect(JSON.stringify(line)).not.toContain('secret');
    expect(line).toMatchObject({
      token: '[redacted]', authorization: '[redacted]', cookie: '[redacted]', key: '[redacted]', privateKey: '[redacted]',
      link: { token: '[redacted]', id: 'kept' },
      headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'kept' },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' }, method: 'GET' },
      route: 'proxy', msg: 'request', service: 'gatepass-gateway',
    });
    // The caller's object is left as it was.
    expect(record.link.token).toBe('secret');
  });

  it('censors bindings of child loggers and their children too', async () => {
    const line = await logged((log) => log.child({ token: 'secret' }).child({ req: { headers: { cookie: 'secret' } } }).info('grandchild'));
    expect(line).toMatchObject({ token: '[redacted]', req: { headers: { cookie: '[redacted]' } } });
  });

  it('stamps lines with the ISO time of the moment, to the millisecond', async () => {
    for (const ms of [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 0, 7), Date.UTC(2026, 0, 1, 0, 0, 0, 42), Date.UTC(2026, 11, 31, 23, 59, 59, 999), 1_000_000_000_500]) {
      expect(isoTime(ms)).toBe(`,"time":"${new Date(ms).toISOString()}"`);
    }
    const before = Date.now();
    const line = await logged((log) => log.info('now'));
    expect(Date.parse(line.time as string)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(line.time as string)).toBeLessThanOrEqual(Date.now());
  });
});
