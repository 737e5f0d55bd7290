/**
 * The bench page's own build (never the app's): bench/page/index.html to bench/dist, served under /bench/ on
 * the same origin as the built app so both see the same IndexedDB. `vite build -c bench/vite.config.ts`.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./page', import.meta.url)),
  base: '/bench/',
  logLevel: 'warn',
  build: {
    target: 'es2022',
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // automerge's wasm arrives as a base64 module: large, and expected.
    chunkSizeWarningLimit: 8192,
  },
});
