/**
 * The storage upgrade in a real browser: a space stored by the previous version (one database per page) moves
 * into one database per space on first open, with a progressbar "Storage upgrade", while a space already moved
 * stays usable; afterwards every page and word is there and no database of the old format is left.
 */
import { expect, test } from './fixtures.ts';
import { addPage, createSpace, openSpaceList, saveStatus, sidebar, tree } from './helpers.ts';
import { databaseNames, seedPreviousVersionSpace } from './previousVersionSpace.ts';

/** Pages of the upgraded space: enough that the move takes long enough to see (and use the app meanwhile). */
const PAGES = 400;

test('a space of the previous version moves on first open with a visible progress, and nothing is lost', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Already here');
  await addPage(page, 'Fresh page');
  await page.getByRole('textbox', { name: 'Page content' }).click();
  await page.keyboard.type('fresh words');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  const { spaceId, pageIds } = await seedPreviousVersionSpace(page, 'From the old version', PAGES);
  await page.goto(`/#/space/${encodeURIComponent(spaceId)}`);
  await page.reload();

  const progress = page.getByRole('progressbar', { name: 'Storage upgrade' });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('max', String(PAGES + 1));
  // The rest of the app works meanwhile: the space already moved opens and takes edits.
  await openSpaceList(page);
  await page.getByRole('list', { name: 'Spaces' }).getByRole('button', { name: /Already here$/ }).click();
  await tree(page).getByRole('treeitem', { name: 'Fresh page', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText('fresh words');

  await page.goto(`/#/space/${encodeURIComponent(spaceId)}`);
  await expect(sidebar(page).getByRole('button', { name: 'Switch space (current: From the old version)' })).toBeVisible({ timeout: 60_000 });
  await expect(progress).toHaveCount(0);
  for (const i of [0, 199, PAGES - 1]) {
    await page.goto(`/#/space/${encodeURIComponent(spaceId)}/page/${encodeURIComponent(pageIds[i]!)}`);
    await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue(`Page ${i}`);
    await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText(`Words of page ${i}.`);
  }
  // Every page is in the tree (virtualised: the first row says how many siblings it has).
  await expect(tree(page).getByRole('treeitem').first()).toHaveAttribute('aria-setsize', String(PAGES));
  // Old databases are removed only after the move verified; wait for that, then none is left.
  await expect.poll(async () => (await databaseNames(page)).filter((n) => n.startsWith(`quire:${spaceId}:`)).length, { timeout: 30_000 }).toBe(0);
  expect(await databaseNames(page)).toContain(`quire:${spaceId}`);

  // The next save goes to the new store and survives a reload.
  await page.getByRole('textbox', { name: 'Page content' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type(' And more.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText(`Words of page ${PAGES - 1}. And more.`);
});
