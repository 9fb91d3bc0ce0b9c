import { describe, expect, it } from 'vitest';
import type { ClusterSettings } from '../../../shared/desktop-api.ts';
import { fromForm, toForm } from './cluster-form.ts';

const settings: ClusterSettings = {
  gatewayURL: 'https://gw.example',
  keySecret: { namespace: 'kube-gateway', name: 'kube-gateway-jwt-private', key: 'tls.key' },
  defaultLifetime: '1h',
  defaultViewOnly: true,
  defaultSingleUse: false,
};

describe('cluster settings form', () => {
  it('round-trips settings', () => {
    expect(fromForm(toForm(settings))).toEqual(settings);
  });

  it('leaves the gateway URL out when empty, so main discovers it', () => {
    const { gatewayURL: _gatewayURL, ...discovered } = settings;
    expect(toForm(discovered).gatewayURL).toBe('');
    expect(fromForm({ ...toForm(settings), gatewayURL: '   ' })).toEqual(discovered);
  });

  it('trims what was typed', () => {
    const form = { ...toForm(settings), secretName: ' key ', defaultLifetime: ' 2h ', gatewayURL: ' https://x.example ' };
    const saved = fromForm(form);
    expect(saved.keySecret.name).toBe('key');
    expect(saved.defaultLifetime).toBe('2h');
    expect(saved.gatewayURL).toBe('https://x.example');
  });
});
