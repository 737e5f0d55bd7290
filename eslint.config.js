import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Browser and Node globals that must never appear in src/core or src/protocol (they run in Node and the browser alike). */
const HOST_GLOBALS = [
  'window', 'document', 'navigator', 'indexedDB', 'IDBKeyRange', 'localStorage', 'sessionStorage',
  'BroadcastChannel', 'location', 'history', 'fetch', 'WebSocket', 'Worker', 'self', 'caches',
  'process', 'Buffer', 'require', '__dirname', 'global',
];

export default tseslint.config(
  { ignores: ['dist/', 'dev-dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench/results/', 'bench/dist/', '**/*.d.mts',
    // Break the import rules on purpose: test/importRules.test.ts runs dependency-cruiser on them.
    'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'bench/*.mjs'], maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 24 }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Yjs's shared types stringify to their content but do not declare toString in their typings.
      '@typescript-eslint/no-base-to-string': ['error', { ignoredTypeNames: ['YText', 'YXmlText', 'YXmlFragment', 'YXmlElement', 'Error', 'RegExp', 'URL'] }],
    },
  },
  {
    // The service worker has its own lib set (WebWorker, no DOM).
    files: ['src/sw/**/*.ts'],
    languageOptions: { parserOptions: { projectService: false, project: './tsconfig.sw.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Declares the host globals src/protocol may use; only tsconfig.protocol.json (no DOM, no Node) includes it.
    files: ['src/protocol/hostGlobals.d.ts'],
    languageOptions: { parserOptions: { projectService: false, project: './tsconfig.protocol.json', tsconfigRootDir: import.meta.dirname } },
    // A global must be `declare var` to appear on globalThis (capability.ts reads globalThis.crypto).
    rules: { 'no-var': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' } },
  },
  {
    // Which wing and package each may import is checked by dependency-cruiser (.dependency-cruiser.mjs, run by
    // `npm run lint`); this rule catches host globals, which are not imports.
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/core/testing/**', 'src/protocol/hostGlobals.d.ts'],
    rules: {
      'no-restricted-globals': ['error', ...HOST_GLOBALS],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'src/core/testing/**', 'e2e/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
