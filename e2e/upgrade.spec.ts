import { createSpace, saveStatus, sidebar } from './helpers.ts';
import { expect, test } from './fixtures.ts';
import { openSecondTab } from './tabsAndRows.ts';
import { routeIds, storedPageText } from './storedPages.ts';

/** Bound on the other tabs noticing the upgrade (measured from Node, Playwright's round trips included). */
const STOP_BOUND_MS = 2_000;

test('a newer version upgrading the database from one tab stops the other tabs, and loses no saved edit', async ({ page, context }) => {
  await page.goto('/');
  await createSpace(page, 'Upgraded');
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page title' }).fill('Before the upgrade');
  await page.getByRole('textbox', { name: 'Page content' }).click();
  await page.keyboard.type('Typed in A.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  const { tab: other, problems } = await openSecondTab(context, page.url());
  const contentB = other.getByRole('textbox', { name: 'Page content' });
  await expect(contentB).toHaveText('Typed in A.');
  await contentB.click();
  await other.keyboard.press('End');
  await other.keyboard.type(' Typed in B.');
  await expect(saveStatus(other)).toHaveText('Saved on this device');
  await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText('Typed in A. Typed in B.');

  // "A newer version of the app" in a third tab: it opens the database one schema later. The old tabs must
  // not block it (they close their connection at once).
  const newer = await context.newPage();
  await newer.goto('/manifest.webmanifest');
  await newer.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const probe = indexedDB.open('quire');
        probe.onerror = () => reject(new Error(String(probe.error)));
        probe.onsuccess = () => {
          const current = probe.result.version;
          probe.result.close();
          const upgrade = indexedDB.open('quire', current + 10);
          upgrade.onupgradeneeded = () => upgrade.result.createObjectStore('comments');
          upgrade.onblocked = () => reject(new Error('an old tab blocked the upgrade'));
          upgrade.onerror = () => reject(new Error(String(upgrade.error)));
          upgrade.onsuccess = () => {
            upgrade.result.close();
            resolve();
          };
        };
      }),
  );

  for (const tab of [page, other]) {
    const notice = tab.getByRole('alertdialog', { name: 'Quire was updated' });
    await expect(notice).toBeVisible({ timeout: STOP_BOUND_MS });
    await expect(notice).toContainText('stopped saving');
    await expect(notice.getByRole('button', { name: 'Reload' })).toBeFocused();
    // The workspace behind it takes no input any more, even when something tries to focus the editor.
    await tab.getByRole('textbox', { name: 'Page content' }).evaluate((el) => (el as HTMLElement).focus());
    await tab.keyboard.type('zzz');
    await expect(tab.getByRole('textbox', { name: 'Page content' })).toHaveText('Typed in A. Typed in B.');
    await expect(tab.getByRole('textbox', { name: 'Page title' })).toHaveValue('Before the upgrade');
  }

  // Both tabs' acknowledged edits are on disk, read raw (not through the app).
  const { spaceId, pageId } = routeIds(page);
  expect(await storedPageText(newer, spaceId, pageId)).toBe('Typed in A. Typed in B.');
  expect(problems).toEqual([]);
});
