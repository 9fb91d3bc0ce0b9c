import { describe, expect, it } from 'vitest';
import { consoleQuery } from './console-query.ts';

describe('the console query', () => {
  it('consumes presence: the viewer is told who is there, KubeVirt never sees the key', () => {
    expect(consoleQuery('preserveSession=true&presence=true', { preserveSession: false })).toEqual({ query: 'preserveSession=true', presence: true });
    expect(consoleQuery('presence=false', { preserveSession: false })).toEqual({ query: '', presence: false });
    expect(consoleQuery('', { preserveSession: true })).toEqual({ query: 'preserveSession=true', presence: false });
  });

  it('refuses presence given twice, encoded twice, or as anything but true or false', () => {
    expect(consoleQuery('presence=true&presence=true', { preserveSession: false })).toEqual({ problem: 'the query parameter presence is given more than once' });
    expect(consoleQuery('presence=true&%70resence=false', { preserveSession: false })).toEqual({ problem: 'the query parameter presence is given more than once' });
    expect(consoleQuery('presence=yes', { preserveSession: false })).toEqual({ problem: 'presence must be true or false' });
    expect(consoleQuery('presence=true&other=1', { preserveSession: false })).toEqual({ problem: 'a console accepts no query parameter "other"' });
  });
});
