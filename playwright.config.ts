import { defineConfig } from '@playwright/test';
import { chromiumPath } from './scripts/chromium-path.mjs';

/**
 * Port of `vite preview` serving the built app during e2e. QUIRE_E2E_PORT lets two checkouts (git worktrees)
 * run their suites side by side without sharing a server.
 */
const PREVIEW_PORT = Number(process.env.QUIRE_E2E_PORT ?? 4173);

/**
 * The browser-kill harness drives its own Chromium processes and spends most of a cycle waiting on them; it
 * runs in a project of its own, in a second worker next to the rest of e2e, which keeps one worker as it
 * always had (its specs are written to run one at a time).
 */
const BROWSER_KILL = /browserKill\.spec\.ts$/;

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  fullyParallel: false,
  workers: 2,
  projects: [
    { name: 'browser-kill', testMatch: BROWSER_KILL, workers: 1 },
    { name: 'app', testIgnore: BROWSER_KILL, workers: 1 },
  ],
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PREVIEW_PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-crash-reporter',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
      ],
    },
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort`,
    url: `http://127.0.0.1:${PREVIEW_PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
