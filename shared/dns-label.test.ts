import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DnsLabelError, assertDnsLabel, dnsLabelProblem, isDnsLabel } from './dns-label.ts';

describe('dnsLabelProblem', () => {
  it.each(['a', 'vm-1', '0', 'a'.repeat(63), 'my-vm-01'])('accepts %j', (value) => {
    expect(dnsLabelProblem(value)).toBeUndefined();
    expect(isDnsLabel(value)).toBe(true);
  });

  it.each([
    ['', 'is empty'],
    ['a'.repeat(64), 'is 64 characters long (at most 63)'],
    ['MyVM', 'contains uppercase letters (Kubernetes names are lowercase)'],
    ['my_vm', 'contains "_" (only a-z, 0-9 and "-" are allowed)'],
    ['a.b', 'contains "." (only a-z, 0-9 and "-" are allowed)'],
    ['a/b', 'contains "/" (only a-z, 0-9 and "-" are allowed)'],
    ['..', 'contains "." (only a-z, 0-9 and "-" are allowed)'],
    ['-vm', 'must start and end with a letter or digit'],
    ['vm-', 'must start and end with a letter or digit'],
    [7, 'is not a string'],
  ])('refuses %j: %s', (value, problem) => {
    expect(dnsLabelProblem(value)).toBe(problem);
    expect(isDnsLabel(value)).toBe(false);
  });

  it('accepts exactly the labels of the Kubernetes regular expression', () => {
    const k8s = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const text = fc.string({ unit: fc.constantFrom('a', 'z', '0', '9', '-', '.', 'A', '_', '/'), maxLength: 70 });
    fc.assert(
      fc.property(text, (value) => {
        expect(isDnsLabel(value)).toBe(k8s.test(value) && value.length <= 63);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('assertDnsLabel', () => {
  it('names the field and quotes the value', () => {
    expect(() => assertDnsLabel('Bad', 'namespace')).toThrow(DnsLabelError);
    expect(() => assertDnsLabel('Bad', 'namespace')).toThrow(
      'namespace "Bad" is not a valid Kubernetes name: it contains uppercase letters (Kubernetes names are lowercase)',
    );
    expect(() => assertDnsLabel(undefined, 'name')).toThrow('name undefined is not a valid Kubernetes name: it is not a string');
    expect(() => assertDnsLabel('ok', 'name')).not.toThrow();
  });
});
