import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The gateway's browser viewer. kube-gateway's default client path is
// /noVNC/vnc_lite.html, so the viewer is built at exactly that path (and at
// index.html for the base path) under dist/viewer, the gateway's default
// public dir. Absolute asset URLs (base "/") work from both pages.
const root = fileURLToPath(new URL('./renderer/browser-viewer/', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  // A build run from a test (NODE_ENV=test) must still ship React's production build.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/viewer/', import.meta.url)),
    emptyOutDir: true,
    // @novnc/novnc 1.7 uses a top-level await.
    target: 'es2022',
    // Inlined data: URLs would need a looser CSP; every asset stays a file.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        index: `${root}index.html`,
        vnc_lite: `${root}noVNC/vnc_lite.html`,
      },
    },
  },
});
