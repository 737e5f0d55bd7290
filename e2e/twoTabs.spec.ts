import { createSpace, saveStatus, sidebar, tree } from './helpers.ts';
import { expect, test } from './fixtures.ts';
import { openSecondTab } from './tabsAndRows.ts';

/** Bound on seeing the other tab's edit, measured from Node (it includes Playwright's own round trips). */
const CROSS_TAB_BOUND_MS = 1_000;

test('two tabs on the same page see each other\'s edits live, and both are there after a reload', async ({ page, context }) => {
  await page.goto('/');
  await createSpace(page, 'Together');
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page title' }).fill('Shared page');
  const contentA = page.getByRole('textbox', { name: 'Page content' });
  await contentA.click();
  await page.keyboard.type('Written in A.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  const { tab: other, problems } = await openSecondTab(context, page.url());
  const contentB = other.getByRole('textbox', { name: 'Page content' });
  await expect(contentB).toHaveText('Written in A.');

  // B types; A sees it live (no reload), well within the bound.
  await contentB.click();
  await other.keyboard.press('End');
  await other.keyboard.type(' And in B');
  await expect(contentA).toHaveText('Written in A. And in B', { timeout: CROSS_TAB_BOUND_MS });
  let started = Date.now();
  await other.keyboard.type('.'); // one keystroke, timed
  await expect(contentA).toHaveText('Written in A. And in B.', { timeout: CROSS_TAB_BOUND_MS });
  const bToA = Date.now() - started;

  // A renames the page; B's tree follows.
  started = Date.now();
  await page.getByRole('textbox', { name: 'Page title' }).fill('Renamed in A');
  await expect(tree(other).getByRole('treeitem', { name: 'Renamed in A' })).toBeVisible({ timeout: CROSS_TAB_BOUND_MS });
  const treeAToB = Date.now() - started;
  console.log(`cross-tab: one keystroke in B seen in A after ${bToA} ms; A's rename in B's tree after ${treeAToB} ms (Node clock, includes Playwright)`);

  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await expect(saveStatus(other)).toHaveText('Saved on this device');
  await other.close();
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText('Written in A. And in B.');
  expect(problems).toEqual([]);
});
