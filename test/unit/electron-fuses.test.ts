// The afterPack hook against Electron-like binaries built here: a fuse wire
// (sentinel, version, length, one byte a fuse) inside arbitrary bytes, as
// Electron's own binary carries it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error — a plain ES module hook for electron-builder, without types.
import afterPack, { fuses, packagedExecutable } from '../../scripts/electron-fuses.mjs';

const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const work = mkdtempSync(join(tmpdir(), 'gatepass-fuses-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A binary whose wire holds `wire` ('0' off, '1' on, 'r' removed), between unrelated bytes. */
function fakeElectron(name: string, wire: string): string {
  const path = join(work, name);
  writeFileSync(path, Buffer.concat([Buffer.alloc(4096, 0xcc), Buffer.from(`${sentinel}\x01${String.fromCharCode(wire.length)}${wire}`, 'latin1'), Buffer.alloc(4096, 0xdd)]));
  return path;
}

const wireOf = (path: string): string => {
  const bytes = readFileSync(path);
  const at = bytes.indexOf(sentinel) + sentinel.length;
  return bytes.subarray(at + 2, at + 2 + bytes[at + 1]!).toString('latin1');
};

const linuxContext = (executableName: string) => ({ appOutDir: work, electronPlatformName: 'linux', arch: 1, packager: { executableName, appInfo: { productFilename: 'Gatepass' } } });

describe('the Electron fuses hook', () => {
  it('turns RunAsNode, NODE_OPTIONS and inspect off and cookie encryption, asar integrity and asar-only on', async () => {
    // Electron's defaults, plus a ninth fuse this @electron/fuses does not know, left as it was.
    fakeElectron('gatepass', '101100011');
    await afterPack(linuxContext('gatepass'));
    expect(wireOf(join(work, 'gatepass'))).toBe('010011011');
  });

  it('sets every fuse the configuration names, and only those six', () => {
    expect(Object.keys(fuses).map(Number).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Object.values(fuses).filter((on) => on)).toHaveLength(3);
  });

  it('refuses to let a package go out when the binary has no fuse wire', async () => {
    writeFileSync(join(work, 'not-electron'), '#!/bin/sh\nexit 1\n');
    await expect(afterPack(linuxContext('not-electron'))).rejects.toThrow(/sentinel/);
  });

  it('refuses when the wire is too short to hold a fuse it must set', async () => {
    fakeElectron('old-electron', '1011');
    await expect(afterPack(linuxContext('old-electron'))).rejects.toThrow(/EnableEmbeddedAsarIntegrityValidation/);
  });

  it('finds the executable of each platform where electron-builder puts it', () => {
    const context = (electronPlatformName: string) => ({ ...linuxContext('gatepass'), electronPlatformName });
    expect(packagedExecutable(context('linux'))).toBe(join(work, 'gatepass'));
    expect(packagedExecutable(context('win32'))).toBe(join(work, 'Gatepass.exe'));
    expect(packagedExecutable(context('darwin'))).toBe(join(work, 'Gatepass.app'));
  });
});
