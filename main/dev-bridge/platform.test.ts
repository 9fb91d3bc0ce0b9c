import { describe, expect, it } from 'vitest';
import { bridgePlatform } from './platform.ts';

describe('bridgePlatform', () => {
  it('hands copies and mails to the page and never pretends to have done them itself', async () => {
    const lines: string[] = [];
    const platform = bridgePlatform((line) => lines.push(line));
    expect(platform.deliverIn).toBe('page');
    await expect(platform.clipboard.writeText('https://gw/open#token=secret')).rejects.toThrow(/cannot reach the desktop/);
    await expect(platform.openExternal('mailto:?body=https%3A%2F%2Fgw%2Fopen%23token%3Dsecret')).rejects.toThrow(/cannot reach the desktop/);
    expect(lines.join('\n')).not.toContain('secret');
  });

  it('keeps no link it cannot seal, and records notifications', () => {
    const lines: string[] = [];
    const platform = bridgePlatform((line) => lines.push(line));
    expect(platform.safeStorage.isEncryptionAvailable()).toBe(false);
    platform.notify('Console link opened', 'web-1');
    expect(platform.notifications).toEqual([{ title: 'Console link opened', body: 'web-1' }]);
    expect(lines).toEqual(['dev-bridge: notification: Console link opened — web-1']);
  });
});
