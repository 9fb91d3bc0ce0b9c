import { describe, expect, it } from 'vitest';
import { clusterSettingsService, defaultClusterSettings, validateClusterSettings } from './cluster-settings.ts';
import type { KeyValueStore } from './store.ts';

const valid = () => ({ ...defaultClusterSettings(), gatewayURL: 'https://gw.example.com/' });

describe('validateClusterSettings', () => {
  it('accepts good settings and normalises the gateway URL', () => {
    expect(validateClusterSettings(valid()).gatewayURL).toBe('https://gw.example.com');
    expect(validateClusterSettings({ ...valid(), gatewayURL: 'http://127.0.0.1:8080' }).gatewayURL).toBe('http://127.0.0.1:8080');
  });

  it.each([
    [{ gatewayURL: 'http://gw.example.com' }, /http:\/\//],
    [{ keySecret: { namespace: 'Kube', name: 'x', key: 'tls.key' } }, /namespace/],
    [{ keySecret: { namespace: 'kube', name: 'x', key: 'a/b' } }, /key/],
    [{ defaultLifetime: '169h' }, /168h/],
    [{ defaultLifetime: '1 hour' }, /lifetime/],
    [{ defaultViewOnly: 'yes' }, /view-only/],
  ])('refuses %j', (change, message) => {
    expect(() => validateClusterSettings({ ...valid(), ...change })).toThrow(message);
  });
});

describe('clusterSettingsService', () => {
  it('keeps settings per context, also for names with dots', () => {
    const data = new Map<string, unknown>();
    const store: KeyValueStore = { get: (k) => data.get(k), set: (k, v) => void data.set(k, v), delete: (k) => void data.delete(k) };
    const service = clusterSettingsService(store);
    service.save('user@cluster.example.com', { ...valid(), defaultLifetime: '8h' });
    expect(service.get('user@cluster.example.com').defaultLifetime).toBe('8h');
    expect(service.get('other')).toEqual(defaultClusterSettings());
    expect([...data.keys()]).toEqual(['clusterSettings']);
  });
});
