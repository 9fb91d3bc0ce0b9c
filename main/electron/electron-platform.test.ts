import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fake from '../../test/support/fake-electron.ts';
import { electronPlatform } from './electron-platform.ts';

vi.mock('electron', () => import('../../test/support/fake-electron.ts'));

const linux = process.platform === 'linux';

afterEach(() => {
  fake.safeStorage.available = false;
  fake.safeStorage.backend = 'basic_text';
});

describe('safeStorage as the link history sees it', () => {
  it('is unavailable when Electron has no encryption at all', () => {
    expect(electronPlatform().safeStorage.isEncryptionAvailable()).toBe(false);
  });

  it.runIf(linux)('is unavailable on Linux when only the hard-coded basic_text backend exists', () => {
    fake.safeStorage.available = true;
    for (const backend of ['basic_text', 'unknown']) {
      fake.safeStorage.backend = backend;
      expect(electronPlatform().safeStorage.isEncryptionAvailable()).toBe(false);
    }
  });

  it('is available with a real keyring', () => {
    fake.safeStorage.available = true;
    fake.safeStorage.backend = 'gnome_libsecret';
    expect(electronPlatform().safeStorage.isEncryptionAvailable()).toBe(true);
  });
});

describe('the vnc:// handler as main sees it', () => {
  afterEach(() => {
    fake.app.vncHandler = '';
    fake.shell.opened.length = 0;
  });

  it("asks Electron for the vnc:// handler's name and launches it through the shell", async () => {
    const vnc = electronPlatform().vncClient!;
    expect(await vnc.handlerName()).toBeUndefined();
    fake.app.vncHandler = 'TigerVNC Viewer';
    expect(await vnc.handlerName()).toBe('TigerVNC Viewer');
    await vnc.launch('vnc://127.0.0.1:5901');
    expect(fake.shell.opened).toEqual(['vnc://127.0.0.1:5901']);
  });
});
