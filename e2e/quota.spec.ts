import { createSpace, saveStatus, sidebar } from './helpers.ts';
import { expect, test } from './fixtures.ts';
import { routeIds, storedPageText } from './storedPages.ts';

/** How long Chromium's IndexedDB may keep using the space it had checked before the quota shrank (seen: 30 s). */
const QUOTA_CACHE_MS = 35_000;

test('quota exceeded: the error says how much is used and what to do, typing goes on, and the backlog is saved once space is freed', async ({ page, context, baseURL }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await createSpace(page, 'Full disk');
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  const content = page.getByRole('textbox', { name: 'Page content' });
  await content.click();
  await page.keyboard.type('Saved before the disk filled up.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  // Shrink this origin's quota to what it already uses: no further write fits. Chromium's IndexedDB caches
  // the space it may use for up to QUOTA_CACHE_MS, so writes go on succeeding for a while: keep typing.
  const cdp = await context.newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage });

  await page.keyboard.press('Enter');
  await page.keyboard.type('Typed while the disk is full.');
  const started = Date.now();
  while (!((await saveStatus(page).textContent()) ?? '').includes('out of storage space')) {
    expect(Date.now() - started, 'the quota error never came').toBeLessThan(QUOTA_CACHE_MS + 15_000);
    await page.keyboard.type('.');
    await page.waitForTimeout(500);
  }
  await expect(saveStatus(page)).toContainText(/Quire uses .+ of the .+ this browser allows it\./);
  // Typing goes on; nothing is thrown away.
  await page.keyboard.type(' And more.');
  await expect(content).toContainText('Typed while the disk is full');
  await expect(content).toContainText('. And more.');
  const typed = (await content.innerText()).split('\n').at(-1)!;

  // Leaving now would lose the backlog: the browser asks first.
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.type();
    void dialog.dismiss();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => asked).toBe('beforeunload');
  expect(page.isClosed()).toBe(false);

  // Free space (give the quota back) and retry: the backlog lands.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await page.getByRole('button', { name: 'Retry now' }).click();
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  const { spaceId, pageId } = routeIds(page);
  const stored = await storedPageText(page, spaceId, pageId);
  expect(stored).toBe(`Saved before the disk filled up.\n${typed}`);
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Page content' })).toContainText(typed);
});
