import { createSpace, openSpaceList, saveStatus, sidebar, tree } from './helpers.ts';
import { expect, test } from './fixtures.ts';
import { openSecondTab } from './tabsAndRows.ts';

test('a space is renamed with an icon, and deleted after a confirmation that names it and counts its pages', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Keeper');
  await createSpace(page, 'Drafts');
  for (const title of ['One', 'Two', 'Three']) {
    await sidebar(page).getByRole('button', { name: 'New page' }).click();
    await page.getByRole('textbox', { name: 'Page title' }).fill(title);
  }
  await expect(tree(page).getByRole('treeitem')).toHaveCount(3);

  // Rename, with an icon.
  await openSpaceList(page);
  await page.getByRole('button', { name: 'Rename space…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Rename space' });
  await expect(dialog.getByRole('textbox', { name: 'Space name' })).toHaveValue('Drafts');
  await dialog.getByRole('textbox', { name: 'Space name' }).fill('Old drafts');
  await dialog.getByRole('textbox', { name: 'Space icon' }).fill('D');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(sidebar(page).getByRole('button', { name: 'Switch space (current: Old drafts)' })).toBeVisible();
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await page.reload();
  await expect(sidebar(page).getByRole('button', { name: 'Switch space (current: Old drafts)' })).toBeVisible();

  // Delete: the confirmation names the space and its pages; Cancel keeps it.
  await openSpaceList(page);
  await page.getByRole('button', { name: 'Delete space…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete the space “Old drafts”?' });
  await expect(confirm).toContainText('“Old drafts” and its 3 pages will be deleted from this device.');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(tree(page).getByRole('treeitem')).toHaveCount(3);

  await openSpaceList(page);
  await page.getByRole('button', { name: 'Delete space…' }).click();
  await confirm.getByRole('button', { name: 'Delete space' }).click();
  await expect(sidebar(page).getByRole('button', { name: 'Switch space (current: Keeper)' })).toBeVisible();
  await openSpaceList(page);
  await expect(page.getByRole('list', { name: 'Spaces' }).getByRole('button')).toHaveText([/Keeper$/]);
  await page.reload();
  await openSpaceList(page);
  await expect(page.getByRole('list', { name: 'Spaces' }).getByRole('button')).toHaveText([/Keeper$/]);
  // Its space database is gone too.
  const left = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('quire:')));
  expect(left.length).toBeGreaterThan(0);
  expect(left.every((n) => !n.includes('Old'))).toBe(true);
});

test('with several spaces, the switcher lists the recently opened ones first', async ({ page }) => {
  await page.goto('/');
  for (const name of ['North', 'East', 'South', 'West']) await createSpace(page, name);
  await openSpaceList(page);
  await page.getByRole('list', { name: 'Spaces' }).getByRole('button', { name: 'North', exact: true }).click();
  await expect(sidebar(page).getByRole('button', { name: 'Switch space (current: North)' })).toBeVisible();
  await openSpaceList(page);
  const recent = page.getByRole('list', { name: 'Recently opened' });
  await expect(recent.getByRole('button')).toHaveText([/West$/, /South$/, /East$/]);
});

test('a space deleted in one tab is let go by another tab that has it open, which never writes it again', async ({ page, context }) => {
  await page.goto('/');
  await createSpace(page, 'Staying');
  await createSpace(page, 'Leaving');
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page content' }).click();
  await page.keyboard.type('Soon gone.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  const { tab: other, problems } = await openSecondTab(context, page.url());
  await expect(other.getByRole('textbox', { name: 'Page content' })).toHaveText('Soon gone.');
  const spaceId = /#\/space\/([^/]+)/.exec(page.url())![1]!;

  await openSpaceList(page);
  await page.getByRole('button', { name: 'Delete space…' }).click();
  await page.getByRole('alertdialog', { name: 'Delete the space “Leaving”?' }).getByRole('button', { name: 'Delete space' }).click();
  await expect(sidebar(page).getByRole('button', { name: 'Switch space (current: Staying)' })).toBeVisible();

  await expect(other.getByRole('alert').filter({ hasText: '“Leaving” was deleted in another tab.' })).toBeVisible();
  await expect(sidebar(other).getByRole('button', { name: 'Switch space (current: Staying)' })).toBeVisible();
  await expect(saveStatus(other)).toHaveText('Saved on this device');
  await other.close({ runBeforeUnload: false }); // closing flushes: nothing of the deleted space may come back
  await page.waitForTimeout(300);
  const left = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
  // Neither its space database nor any database of the previous version's format is left.
  expect(left.filter((n) => n === `quire:${spaceId}` || n.startsWith(`quire:${spaceId}:`))).toEqual([]);
  expect(problems).toEqual([]);
});
