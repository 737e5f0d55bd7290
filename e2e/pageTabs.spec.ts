import { createSpace, saveStatus, sidebar, tree } from './helpers.ts';
import { expect, test } from './fixtures.ts';
import { countRows } from './tabsAndRows.ts';

test('open pages show as tabs in the header, follow renames, close by mouse or keyboard, and come back after a reload', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Tabbed');
  for (const title of ['Alpha', 'Beta', 'Gamma']) {
    await sidebar(page).getByRole('button', { name: 'New page' }).click();
    await page.getByRole('textbox', { name: 'Page title' }).fill(title);
  }
  const strip = page.getByRole('tablist', { name: 'Open pages' });
  await expect(strip.getByRole('tab')).toHaveText(['Alpha', 'Beta', 'Gamma']);
  await expect(strip.getByRole('tab', { name: 'Gamma' })).toHaveAttribute('aria-selected', 'true');

  // A tab opens its page; opening a page from the sidebar selects its existing tab (no duplicate).
  await strip.getByRole('tab', { name: 'Alpha' }).click();
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Alpha');
  await tree(page).getByRole('treeitem', { name: 'Beta' }).click();
  await expect(strip.getByRole('tab')).toHaveCount(3);
  await expect(strip.getByRole('tab', { name: 'Beta' })).toHaveAttribute('aria-selected', 'true');

  // Renames show in the tab.
  await page.getByRole('textbox', { name: 'Page title' }).fill('Beta two');
  await expect(strip.getByRole('tab', { name: 'Beta two' })).toBeVisible();

  // Closing the active tab goes to its neighbour.
  await strip.getByRole('button', { name: 'Close Beta two' }).click();
  await expect(strip.getByRole('tab')).toHaveText(['Alpha', 'Gamma']);
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Gamma');

  // Keyboard: arrows move between tabs, Enter opens, Delete closes.
  await strip.getByRole('tab', { name: 'Gamma' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(strip.getByRole('tab', { name: 'Alpha' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Alpha');
  await strip.getByRole('tab', { name: 'Gamma' }).focus();
  await page.keyboard.press('Delete');
  await expect(strip.getByRole('tab')).toHaveText(['Alpha']);

  await tree(page).getByRole('treeitem', { name: 'Gamma' }).click();
  await expect(strip.getByRole('tab')).toHaveText(['Alpha', 'Gamma']);
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  // UI state is not part of "saved" (it is a convenience): wait until the tab rows are in IndexedDB.
  await expect.poll(() => countRows(page, 'tabs')).toBe(2);
  await page.reload();
  await expect(strip.getByRole('tab')).toHaveText(['Alpha', 'Gamma']);
  await expect(strip.getByRole('tab', { name: 'Gamma' })).toHaveAttribute('aria-selected', 'true');
});
