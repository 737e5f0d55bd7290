/**
 * Two devices for the sync specs: each is its own browser context (its own IndexedDB, service worker and
 * tabs), talking to the real relay process on loopback. Page and console errors are collected; the only
 * ones tolerated are the browser's own reports of a WebSocket that could not connect, which the tests
 * cause on purpose by stopping the relay. `relayRig` gives a spec its relay (one per test) and devices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { startRelayProcess, type RelayProcess } from '../relay/testing/relayProcess.ts';
import { expect, test } from './fixtures.ts';
import { sidebar } from './helpers.ts';

export interface Device {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: string[];
}

const EXPECTED_WHILE_RELAY_DOWN = /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/?' failed/;

export async function openDevice(browser: Browser, baseURL: string, url = '/'): Promise<Device> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_WHILE_RELAY_DOWN.test(m.text())) problems.push(`console.error: ${m.text()}`);
  });
  await page.goto(url);
  return { context, page, problems };
}

export const syncStatus = (page: Page) => page.getByRole('status', { name: 'Sync status' });

/** Owner: Share > Relay URL > Start syncing, then waits for "Synced". */
export async function startSyncing(page: Page, relayUrl: string) {
  await sidebar(page).getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Relay URL' }).fill(relayUrl);
  await dialog.getByRole('button', { name: 'Start syncing' }).click();
  await expect(dialog.getByRole('button', { name: 'Stop syncing' })).toBeVisible();
  await expect(syncStatus(page)).toContainText('Synced', { timeout: 20_000 });
}

/** Owner: creates an invite link for `role` in the open Share dialog and returns it (dialog closed after). */
export async function createInvite(page: Page, role: 'Editor' | 'Viewer'): Promise<string> {
  const dialog = page.getByRole('dialog');
  if (!(await dialog.isVisible())) await sidebar(page).getByRole('button', { name: 'Share', exact: true }).click();
  await dialog.getByRole('radiogroup', { name: 'Role' }).getByRole('radio', { name: role }).check();
  await dialog.getByRole('button', { name: 'Create invite link' }).click();
  const link = dialog.getByRole('textbox', { name: 'Invite link' });
  await expect(link).toHaveValue(/#\/join\//);
  const value = await link.inputValue();
  await dialog.getByRole('button', { name: 'Done' }).click();
  return value;
}

/** A second device opens the invite link and joins. */
export async function join(device: Device, link: string, name: string) {
  const url = new URL(link);
  await device.page.goto(`/${url.hash}`);
  await device.page.getByRole('textbox', { name: 'Your name' }).fill(name);
  await device.page.getByRole('button', { name: 'Join space' }).click();
}

/** The real relay and the devices of one spec's tests; set up and torn down around each test. */
export interface RelayRig {
  /** The relay of the running test (a new one after `restartRelay`). */
  readonly relay: RelayProcess;
  /** Its data directory (kept across a restart). */
  readonly dataDir: string;
  /** A new device (browser context), closed after the test; its page and console errors fail the test. */
  device(browser: Browser, baseURL: string | undefined, url?: string): Promise<Device>;
  /** Starts the relay again on the same port and data, after the test stopped it. */
  restartRelay(): Promise<RelayProcess>;
}

/**
 * Registers, for the calling spec, a fresh relay process per test (its own data directory) and closes the
 * test's devices after it. `checkProblems: false` for a spec that closes tabs on purpose; `env` sets relay
 * settings (e.g. a small limit) for every relay of the spec, restarts included.
 */
export function relayRig(name: string, options: { checkProblems?: boolean; env?: Record<string, string> } = {}): RelayRig {
  let relay: RelayProcess | null = null;
  let dataDir = '';
  const devices: Device[] = [];
  test.beforeEach(async () => {
    dataDir = mkdtempSync(joinPath(tmpdir(), `quire-e2e-${name}-`));
    relay = await startRelayProcess(dataDir, { env: options.env });
  });
  test.afterEach(async () => {
    for (const d of devices.splice(0)) {
      if (options.checkProblems !== false) expect(d.problems, 'page errors or console errors on a device').toEqual([]);
      await d.context.close();
    }
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get relay() {
      if (!relay) throw new Error('the relay starts in beforeEach');
      return relay;
    },
    get dataDir() {
      return dataDir;
    },
    async device(browser, baseURL, url = '/') {
      const d = await openDevice(browser, baseURL!, url);
      devices.push(d);
      return d;
    },
    async restartRelay() {
      relay = await startRelayProcess(dataDir, { port: this.relay.port, env: options.env });
      return relay;
    },
  };
}
