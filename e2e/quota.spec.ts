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

  // Shrink this origin's quota below what it already uses: no further write fits, not even one that LevelDB's
  // compaction would make room for (at exactly `usage`, some writes succeeded between failures). Chromium's
  // IndexedDB caches the space it may use for up to QUOTA_CACHE_MS, so writes go on succeeding for a while:
  // keep typing.
  const cdp = await context.newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: Math.floor(usage / 2) });

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

  // Leaving now would lose the backlog: the browser asks first.
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.type();
    void dialog.dismiss();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => asked).toBe('beforeunload');
  expect(page.isClosed()).toBe(false);

  // "Retry now" while the disk is still full: the retry fails, the error and the very same button stay (a
  // button re-created on every status change is one a person's click can miss).
  const retry = page.getByRole('button', { name: 'Retry now' });
  await retry.evaluate((button) => button.setAttribute('data-probe', 'first'));
  await retry.click();
  await expect(retry).toBeEnabled();
  await content.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' Still full.');
  await expect(saveStatus(page)).toContainText('out of storage space');
  await expect(retry).toHaveAttribute('data-probe', 'first');
  const typedAll = (await content.innerText()).split('\n').at(-1)!;

  // Free space (give the quota back) and retry: the backlog lands. The app's own retry may come first; the
  // click is made in the page, in one step with finding the button, so it never waits for a button that an
  // automatic retry has just (rightly) removed.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  const clicked = await page.evaluate(() => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Retry now');
    button?.click();
    return button !== undefined;
  });
  if (!clicked) console.log('quota.spec: the automatic retry saved the backlog before Retry now was clicked');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  const { spaceId, pageId } = routeIds(page);
  const stored = await storedPageText(page, spaceId, pageId);
  expect(stored).toBe(`Saved before the disk filled up.\n${typedAll}`);
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Page content' })).toContainText(typedAll);
});
