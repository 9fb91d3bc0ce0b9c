import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

// The desktop app: out/main (ESM, Electron 45 loads it natively), out/preload
// (CommonJS: a sandboxed preload cannot load ES modules, nor require anything
// but a few Electron built-ins — so everything it uses is bundled in), and
// out/renderer (the React app, es2022 for noVNC's top-level await; noVNC is
// imported by the renderer only, so it never reaches a CommonJS bundle).

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The tray and window icons, next to the main bundle where main looks for them. */
const APP_ICONS = ['icon.png', 'tray-light.png', 'tray-light@2x.png', 'tray-dark.png', 'tray-dark@2x.png', 'trayTemplate.png', 'trayTemplate@2x.png'];

function emitIcons(): Plugin {
  return {
    name: 'gatepass-icons',
    generateBundle() {
      for (const file of APP_ICONS) this.emitFile({ type: 'asset', fileName: `assets/${file}`, source: readFileSync(here(`./assets/${file}`)) });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [emitIcons()],
    build: {
      outDir: here('./out/main'),
      // Everything but Electron itself is bundled, so the package needs no node_modules.
      externalizeDeps: false,
      target: 'node22',
      rollupOptions: {
        input: { index: here('./main/electron/index.ts') },
        external: ['electron'],
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: here('./out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: here('./main/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: here('./renderer/app'),
    base: './',
    plugins: [react()],
    publicDir: false,
    build: {
      outDir: here('./out/renderer'),
      target: 'es2022',
      assetsInlineLimit: 0,
      rollupOptions: { input: { index: here('./renderer/app/index.html') } },
    },
  },
});
