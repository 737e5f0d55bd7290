import { defineConfig } from '@playwright/test';
import { chromiumPath } from './scripts/chromium-path.mjs';

/**
 * Port of `vite preview` serving the built app during e2e. QUIRE_E2E_PORT lets two checkouts (git worktrees)
 * run their suites side by side without sharing a server.
 */
const PREVIEW_PORT = Number(process.env.QUIRE_E2E_PORT ?? 4173);

/**
 * The browser-kill harness drives its own Chromium processes: it runs in a project of its own, AFTER the app's
 * specs (one worker, projects in the order declared). Run beside them in a second worker it saved ~3 minutes but
 * starved them on a busy 2-core machine (leaderTab and members timed out), so the suite would not hold under load.
 */
const BROWSER_KILL = /browserKill(Upgrade)?\.spec\.ts$/;

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  projects: [
    { name: 'app', testIgnore: BROWSER_KILL },
    { name: 'browser-kill', testMatch: BROWSER_KILL },
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
