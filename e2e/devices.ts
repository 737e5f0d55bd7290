/**
 * Two devices for the sync specs: each is its own browser context (its own IndexedDB, service worker and
 * tabs), talking to the real relay process on loopback. Page and console errors are collected; the only
 * ones tolerated are the browser's own reports of a WebSocket that could not connect, which the tests
 * cause on purpose by stopping the relay.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect } from './fixtures.ts';
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
