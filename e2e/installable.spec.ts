import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { expect, test } from './fixtures.ts';

// A persistent context: Chromium reports 'in-incognito' for ordinary Playwright contexts.
test('Chromium reports the app installable with no errors, with the manifest it needs', async ({ baseURL, launchOptions }) => {
  const profile = mkdtempSync(join(tmpdir(), 'quire-install-'));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    const { data } = (await cdp.send('Page.getAppManifest')) as { data?: string };
    const manifest = JSON.parse(data ?? '{}') as { name?: string; short_name?: string; display?: string; start_url?: string; scope?: string; theme_color?: string; background_color?: string; icons?: { sizes: string; purpose?: string }[] };
    expect(manifest).toMatchObject({ name: 'Quire', short_name: 'Quire', display: 'standalone', start_url: '/', scope: '/' });
    expect(manifest.theme_color).toBeTruthy();
    expect(manifest.background_color).toBeTruthy();
    const icons = manifest.icons ?? [];
    expect(icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(icons.some((i) => i.purpose === 'maskable')).toBe(true);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
