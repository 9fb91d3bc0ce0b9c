import { describe, expect, it } from 'vitest';
import { servingAddress } from './serving-address.ts';

describe('servingAddress', () => {
  it('is the pod address with the port the gateway listens on', () => {
    expect(servingAddress('10.128.2.17', 'https://0.0.0.0:8080')).toBe('10.128.2.17:8080');
    expect(servingAddress('fd00::5', 'https://[::]:8443')).toBe('[fd00::5]:8443');
  });

  it('is the listening address itself without POD_IP (two processes on one machine)', () => {
    expect(servingAddress(undefined, 'http://127.0.0.1:41234')).toBe('127.0.0.1:41234');
    expect(servingAddress('', 'http://[::1]:5000')).toBe('[::1]:5000');
  });

  it('fills in the scheme’s default port', () => {
    expect(servingAddress('10.0.0.3', 'https://0.0.0.0')).toBe('10.0.0.3:443');
  });

  it('refuses a POD_IP that is no address, naming it', () => {
    expect(() => servingAddress('gateway-0', 'https://0.0.0.0:8080')).toThrow(/POD_IP "gateway-0" is not an IP address/);
  });
});
