import { describe, expect, it } from 'vitest';
import { consolesOf, fetchAdvertisedApiPath, fetchSession, sessionCheck } from './gateway-session.ts';

const valid = {
  namespace: 'team-a',
  name: 'web-1',
  from: '2030-01-01T10:00:00Z',
  until: '2030-01-01T10:15:00Z',
  id: 'abc',
  issuedBy: 'alice',
  viewOnly: true,
  label: 'for a contractor',
  consoles: ['vnc', 'serial'],
};

describe('sessionCheck', () => {
  it('reads a valid session', () => {
    expect(sessionCheck(200, valid)).toEqual({
      kind: 'valid',
      session: { from: valid.from, until: valid.until, viewOnly: true, id: 'abc', issuedBy: 'alice', label: 'for a contractor', maxUses: undefined, consoles: ['vnc', 'serial'] },
    });
  });

  it('reads an older gateway\'s session, which does not list the consoles, as saying nothing about them', () => {
    const { consoles: _, ...older } = valid;
    expect(sessionCheck(200, older)).toMatchObject({ kind: 'valid', session: { consoles: undefined } });
  });

  it('treats a 200 without usable times as saying nothing', () => {
    expect(sessionCheck(200, { ...valid, until: 'soon' })).toEqual({ kind: 'unknown' });
    expect(sessionCheck(200, 'ok')).toEqual({ kind: 'unknown' });
  });

  it.each([
    [401, { reason: 'expired', message: 'expired at 10:15' }, { kind: 'expired', detail: 'expired at 10:15' }],
    [401, { reason: 'not-yet-valid', message: 'valid from 10:00' }, { kind: 'not-yet-valid', from: undefined, detail: 'valid from 10:00' }],
    [401, { reason: 'bad-signature', message: 'signature does not verify' }, { kind: 'no-link', detail: 'signature does not verify' }],
    [403, { reason: 'path', message: 'not this VM' }, { kind: 'forbidden', detail: 'not this VM' }],
  ])('maps %i %j to a refusal', (status, body, state) => {
    expect(sessionCheck(status, body)).toEqual({ kind: 'refused', state });
  });

  it('explains a browser without a link', () => {
    const check = sessionCheck(401, { reason: 'no-token', message: 'no token' });
    expect(check).toMatchObject({ kind: 'refused', state: { kind: 'no-link', detail: expect.stringMatching(/holds no link/) } });
  });

  it('says nothing for an endpoint that does not exist or fails', () => {
    expect(sessionCheck(404, undefined)).toEqual({ kind: 'unknown' });
    expect(sessionCheck(502, { message: 'upstream down' })).toEqual({ kind: 'unknown' });
  });
});

const respond = (status: number, body: unknown): typeof fetch => async () => new Response(JSON.stringify(body), { status });

describe('fetchSession', () => {
  it('asks about exactly this console', async () => {
    const asked: string[] = [];
    const fetcher: typeof fetch = async (input) => {
      asked.push(String(input));
      return new Response(JSON.stringify(valid));
    };
    const check = await fetchSession({ namespace: 'team-a', name: 'web-1', version: 'v1', kind: 'serial' }, fetcher);
    expect(asked).toEqual(['/auth/jwt/session?namespace=team-a&name=web-1&kind=serial']);
    expect(check.kind).toBe('valid');
  });

  it('lets the console speak for itself when the gateway cannot be asked', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchSession({ namespace: 'a', name: 'b', version: 'v1', kind: 'vnc' }, failing)).toEqual({ kind: 'unknown' });
  });
});

describe('consolesOf', () => {
  it('keeps the known kinds, each once, screen first', () => {
    expect(consolesOf(['serial', 'vnc', 'serial'])).toEqual(['vnc', 'serial']);
    expect(consolesOf(['serial'])).toEqual(['serial']);
  });

  it('drops what it does not know', () => {
    expect(consolesOf(['console', 'VNC', 'usbredir', 3, null, 'serial'])).toEqual(['serial']);
    expect(consolesOf([])).toEqual([]);
  });

  it('is undefined for anything but a list', () => {
    expect(consolesOf(undefined)).toBeUndefined();
    expect(consolesOf('vnc,serial')).toBeUndefined();
    expect(consolesOf({ 0: 'vnc', length: 1 })).toBeUndefined();
  });
});

describe('fetchAdvertisedApiPath', () => {
  it('reads the api path a Gatepass gateway advertises', async () => {
    expect(await fetchAdvertisedApiPath(respond(200, { gateway: 'gatepass', apiPath: '/api/' }))).toBe('/api/');
  });

  it('is undefined where the gateway does not advertise one', async () => {
    expect(await fetchAdvertisedApiPath(respond(404, { message: 'not found' }))).toBeUndefined();
    expect(await fetchAdvertisedApiPath(respond(200, ['x']))).toBeUndefined();
  });
});
