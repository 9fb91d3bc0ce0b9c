import { describe, expect, it } from 'vitest';
import { isVncLaunchUrl, vncLaunchUrl } from './vnc-launch.ts';

describe('the vnc:// URL a VNC client is launched with', () => {
  it('names a loopback bridge by host and port only', () => {
    expect(vncLaunchUrl('127.0.0.1:5901')).toBe('vnc://127.0.0.1:5901');
    expect(vncLaunchUrl('127.0.0.1:65535')).toBe('vnc://127.0.0.1:65535');
  });

  it('has no form for a Unix socket or anything but a loopback port', () => {
    for (const address of ['unix:/tmp/gatepass-vnc-x/vnc.sock', '0.0.0.0:5901', '10.0.0.1:5901', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:59a1', '127.0.0.1:5901\n', 'localhost:5901', '']) {
      expect(vncLaunchUrl(address), address).toBeUndefined();
    }
  });

  it('lets only its own URLs through to a handler, never one carrying a password', () => {
    expect(isVncLaunchUrl('vnc://127.0.0.1:5901')).toBe(true);
    for (const url of ['vnc://:secret@127.0.0.1:5901', 'vnc://127.0.0.1:5901?password=secret', 'vnc://127.0.0.1:5901/', 'vnc://evil.example:5901', 'VNC://127.0.0.1:5901', 'https://127.0.0.1:5901', 'vnc://127.0.0.1:99999', 'vnc://127.0.0.1:5901 --via x']) {
      expect(isVncLaunchUrl(url), url).toBe(false);
    }
  });
});
