import { describe, expect, it } from 'vitest';
import type { AppSettings, ContextInfo } from '../../../shared/desktop-api.ts';
import { asDesktopError } from '../errors.ts';
import { connectionLabel, pickContext } from './contexts.ts';
import { isFavourite, toggleFavourite } from './favourites.ts';

const context = (name: string, overrides: Partial<ContextInfo> = {}): ContextInfo => ({
  name, cluster: `${name}-cluster`, server: 'https://127.0.0.1:6443', user: name, current: false, state: 'unknown', ...overrides,
});

describe('pickContext', () => {
  const contexts = [context('admin'), context('viewer', { current: true })];
  it('prefers the remembered context while it exists', () => {
    expect(pickContext(contexts, 'admin')).toBe('admin');
    expect(pickContext(contexts, 'deleted')).toBe('viewer');
    expect(pickContext(contexts, null)).toBe('viewer');
  });

  it('falls back to the first, and to nothing without contexts', () => {
    expect(pickContext([context('a'), context('b')], undefined)).toBe('a');
    expect(pickContext([], 'a')).toBeUndefined();
  });
});

describe('connectionLabel', () => {
  it('labels a failed context without the raw error, which goes behind Details', () => {
    expect(connectionLabel(context('a', { state: 'error', error: { code: 'unauthorized', message: 'token expired' } }))).toBe('Connection failed');
    expect(connectionLabel(context('a', { state: 'error' }))).toBe('Connection failed');
    expect(connectionLabel(context('a', { state: 'connected' }))).toBe('Connected');
  });
});

describe('favourites', () => {
  const settings: AppSettings = { closeToTray: true, notifyLinkOpened: true, favourites: { other: ['x/y'] } };
  it('adds and removes a favourite without touching other contexts', () => {
    const added = toggleFavourite(settings, 'admin', 'team-a/web-1');
    expect(isFavourite(added, 'admin', 'team-a/web-1')).toBe(true);
    expect(added.favourites.other).toEqual(['x/y']);
    expect(settings.favourites.admin).toBeUndefined();
    const removed = toggleFavourite(added, 'admin', 'team-a/web-1');
    expect(isFavourite(removed, 'admin', 'team-a/web-1')).toBe(false);
    expect('admin' in removed.favourites).toBe(false);
  });

  it('is false without settings', () => {
    expect(isFavourite(undefined, 'admin', 'a/b')).toBe(false);
  });
});

describe('errors', () => {
  it('keeps desktop errors and wraps anything else', () => {
    const error = { code: 'forbidden' as const, message: 'cannot get secrets' };
    expect(asDesktopError(error)).toBe(error);
    expect(asDesktopError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(asDesktopError('weird')).toEqual({ code: 'internal', message: 'Unexpected failure: weird' });
  });
});
