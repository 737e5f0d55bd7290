import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The Content-Security-Policy of the built app. No inline scripts, no eval; workers only from our origin.
 * It is injected only into the production build: the dev server's React refresh preamble is an inline script.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' ws: wss: http://127.0.0.1:* http://localhost:*",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'quire-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}

/**
 * vite-plugin-pwa 2.0.0 builds the service worker with Rollup's `output.inlineDynamicImports: true`, which
 * Vite 8's bundler (Rolldown) still honours but warns about on every build. Its replacement says the same:
 * one file, no chunks (a service worker cannot import chunks). Drop this once the plugin passes
 * `codeSplitting: false` itself.
 */
function serviceWorkerInOneFile(): Plugin {
  return {
    name: 'quire-sw-one-file',
    config(config) {
      const output = config.build?.rollupOptions?.output;
      if (!output || Array.isArray(output) || output.inlineDynamicImports === undefined) return;
      const { inlineDynamicImports, ...rest } = output;
      config.build!.rollupOptions!.output = { ...rest, codeSplitting: !inlineDynamicImports };
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    contentSecurityPolicy(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      registerType: 'autoUpdate',
      // Registration is our own module (src/ui/shell/serviceWorkerUpdates.ts), never an inline snippet.
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,ico}'],
        buildPlugins: { vite: [serviceWorkerInOneFile()] },
      },
      manifest: {
        name: 'Quire',
        short_name: 'Quire',
        description: 'A local-first workspace: your pages live on your device first.',
        theme_color: '#2f3a56',
        background_color: '#f7f6f3',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        // PNGs rendered from the SVGs by scripts/render-icons.mjs.
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      output: {
        // The shell's libraries each in their own chunk, loaded up front as before (modulepreload, measured by
        // the bench's bundle rows): without this the shell is one 970 kB chunk, and every release changes
        // its hash, so an update re-downloads (and the service worker re-precaches) the libraries with our
        // code. Apart, they keep their hash until their version changes. Editor libraries (TipTap,
        // ProseMirror) are named nowhere here: they stay in the lazily loaded PageEditor chunk
        // (e2e/lazyEditor.spec.ts).
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'tanstack-db', test: /node_modules[\\/]@tanstack[\\/](db|db-ivm|react-db)[\\/]/ },
            { name: 'yjs', test: /node_modules[\\/](yjs|lib0|y-protocols)[\\/]/ },
            { name: 'dexie', test: /node_modules[\\/]dexie[\\/]/ },
          ],
        },
      },
    },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
