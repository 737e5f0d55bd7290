import { expect, test } from './fixtures.ts';

test('the built app serves its shell, opens IndexedDB and is controlled by the service worker', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Quire' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('Saved on this device');
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
});

test('after the first visit the app starts with the network off', async ({ page, context }) => {
  await page.goto('/');
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Quire' })).toBeVisible();
  await context.setOffline(false);
});
