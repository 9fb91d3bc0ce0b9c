import { describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { namespacePrefixes, scopeProblem } from './scope.ts';

describe('scopeProblem', () => {
  it.each([
    vncPath('team-a', 'web-1'),
    '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/*',
    '/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/web-1',
    '/api/v1/namespaces/team-a/*',
  ])('allows %s in its own namespace', (pattern) => {
    expect(scopeProblem(pattern, 'team-a')).toBeUndefined();
  });

  it('refuses every prefix of another namespace, including one that merely starts with the same letters', () => {
    for (const prefix of namespacePrefixes('team-ab')) {
      expect(scopeProblem(`${prefix}x`, 'team-a')).toMatchObject({ kind: 'outside', message: expect.stringContaining('"team-a"') });
    }
    expect(scopeProblem(vncPath('team-b', 'build-7'), 'team-a')?.kind).toBe('outside');
  });

  it.each([
    ['/apis/subresources.kubevirt.io/v1/namespaces/*', 'every namespace'],
    ['/api/v1/namespaces/*', 'every namespace'],
    ['/apis/subresources.kubevirt.io/v1alpha3/namespaces/team-a/virtualmachineinstances/web-1/vnc', 'outside'],
    ['/apis/*', 'outside'],
    ['/api/v1/namespaces/team-a', 'outside'],
  ])('refuses %s as beyond the namespace', (pattern, words) => {
    const problem = scopeProblem(pattern, 'team-a');
    expect(problem?.kind).toBe('outside');
    expect(problem?.message).toContain(words);
  });

  it.each([
    ['/api/v1/namespaces/team-a/../team-b/secrets', 'dot segment'],
    ['/api/v1/namespaces/team-a/%2e%2e/team-b/secrets', 'encoded'],
    ['/api/v1/namespaces/team-a/a%2Fb', 'encoded "/"'],
    ['/api/v1/namespaces/team-a/*/secrets', '"*" before its end'],
    ['', 'empty'],
  ])('refuses %s by the shared URL policy', (pattern, words) => {
    const problem = scopeProblem(pattern, 'team-a');
    expect(problem?.kind).toBe('invalid');
    expect(problem?.message).toContain(words);
  });

  it('refuses a pattern that is not a string', () => {
    expect(scopeProblem(42, 'team-a')).toEqual({ kind: 'invalid', message: 'is not a string' });
  });
});
