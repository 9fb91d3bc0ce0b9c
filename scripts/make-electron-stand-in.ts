// A stand-in Electron distribution for packaging offline, where the real
// binary cannot be downloaded: `electron-builder --linux dir -c.electronDist=<dir>`
// copies a dist directory and renames its `electron` executable, which is all
// this provides (a shell script that says what it is). The package it yields has
// the real app.asar, so its contents can be checked; it does not run. The script
// carries Electron's fuse wire (sentinel, version, length, one byte a fuse, with
// Electron's defaults) in a comment, so the afterPack hook that flips the fuses
// (scripts/electron-fuses.mjs) runs here too and its result can be read back.
//   node --import tsx scripts/make-electron-stand-in.ts [DIR]   (default dist/electron-stand-in)

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? 'dist/electron-stand-in');
const version = (JSON.parse(readFileSync(new URL('../node_modules/electron/package.json', import.meta.url), 'utf8')) as { version: string }).version;

mkdirSync(join(dir, 'resources'), { recursive: true });
const fuseSentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// RunAsNode, cookie encryption, NODE_OPTIONS, inspect, asar integrity, only asar, V8 snapshot, file protocol.
const defaultFuses = '10110001';
const fuseWire = `${fuseSentinel}\x01${String.fromCharCode(defaultFuses.length)}${defaultFuses}`;
writeFileSync(join(dir, 'electron'), `#!/bin/sh\n# fuse wire: ${fuseWire}\necho "This is a stand-in for the Electron binary (scripts/make-electron-stand-in.ts); it cannot run the app." >&2\nexit 1\n`);
chmodSync(join(dir, 'electron'), 0o755);
writeFileSync(join(dir, 'version'), `v${version}`);
writeFileSync(join(dir, 'LICENSE'), 'Stand-in Electron distribution for offline packaging tests.\n');
console.log(dir);
