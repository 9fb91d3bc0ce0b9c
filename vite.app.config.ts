import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The desktop app's renderer as a plain static build (dist/app), for checking it
// and for the development bridge to serve. Relative asset URLs (base './') work
// from file:// in Electron and from any path the bridge serves it at.
export default defineConfig({
  root: fileURLToPath(new URL('./renderer/app/', import.meta.url)),
  base: './',
  plugins: [react()],
  // A build run from a test (NODE_ENV=test) must still ship React's production build.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/app/', import.meta.url)),
    emptyOutDir: true,
    // @novnc/novnc 1.7 uses a top-level await.
    target: 'es2022',
    // Inlined data: URLs would need a looser CSP for fonts and styles; every asset stays a file.
    assetsInlineLimit: 0,
  },
});
