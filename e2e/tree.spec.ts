/**
 * The sidebar tree's editing: drag and drop, Alt+arrow reordering, inline rename and duplicate. Each test
 * checks the order and nesting the user sees (tree items and their aria-level) and that it survives a reload.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { addPage, createSpace, saveStatus, sidebar, tree, treeShape } from './helpers.ts';

const item = (page: Page, name: string) => tree(page).getByRole('treeitem', { name, exact: true });
/** Points inside a 30px row: its top quarter, its middle, its bottom quarter. */
const AT = { before: { x: 40, y: 3 }, inside: { x: 40, y: 15 }, after: { x: 40, y: 27 } } as const;

async function expectShape(page: Page, shape: string[]) {
  await expect.poll(() => treeShape(page)).toEqual(shape);
}

test('pages move by drag and drop: inside a page, between siblings, below the rows; never into their own subtree', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Drags');
  for (const name of ['Alpha', 'Beta', 'Gamma']) await addPage(page, name);
  await expectShape(page, ['Alpha@1', 'Beta@1', 'Gamma@1']);

  // Onto the middle of a row: inside it, as its last child (the new parent expands).
  await item(page, 'Gamma').dragTo(item(page, 'Alpha'), { targetPosition: AT.inside });
  await expectShape(page, ['Alpha@1', 'Gamma@2', 'Beta@1']);
  await expect(item(page, 'Alpha')).toHaveAttribute('aria-expanded', 'true');

  // Onto a row's top quarter: before it.
  await item(page, 'Beta').dragTo(item(page, 'Alpha'), { targetPosition: AT.before });
  await expectShape(page, ['Beta@1', 'Alpha@1', 'Gamma@2']);

  // Onto a row's bottom quarter: after it, among its siblings (Gamma leaves Alpha for the top level).
  await item(page, 'Gamma').dragTo(item(page, 'Beta'), { targetPosition: AT.after });
  await expectShape(page, ['Beta@1', 'Gamma@1', 'Alpha@1']);

  await item(page, 'Alpha').dragTo(item(page, 'Beta'), { targetPosition: AT.inside });
  await expectShape(page, ['Beta@1', 'Alpha@2', 'Gamma@1']);

  // A drop onto the page's own child is refused: no indicator, nothing moves. Elsewhere the indicator shows.
  const indicators = tree(page).locator('.tree-row--drop-before, .tree-row--drop-after, .tree-row--drop-inside');
  // (Playwright sends dragover only from the second move over a target, so each hover is made of steps.)
  const hoverDuring = async (name: string) => {
    const b = (await item(page, name).boundingBox())!;
    await page.mouse.move(b.x + AT.inside.x, b.y + AT.inside.y - 4, { steps: 4 });
    await page.mouse.move(b.x + AT.inside.x + 2, b.y + AT.inside.y, { steps: 2 });
  };
  await item(page, 'Beta').hover();
  await page.mouse.down();
  await hoverDuring('Gamma');
  await expect(tree(page).locator('.tree-row--drop-inside')).toHaveCount(1);
  await hoverDuring('Alpha');
  await expect(indicators).toHaveCount(0);
  await page.mouse.up();
  await expectShape(page, ['Beta@1', 'Alpha@2', 'Gamma@1']);
  await item(page, 'Beta').dragTo(item(page, 'Alpha'), { targetPosition: AT.after });
  await expectShape(page, ['Beta@1', 'Alpha@2', 'Gamma@1']);

  // Onto the empty space below the rows: the top level, last.
  const box = await tree(page).boundingBox();
  expect(box).not.toBeNull();
  await item(page, 'Alpha').dragTo(tree(page), { targetPosition: { x: 40, y: box!.height - 8 } });
  await expectShape(page, ['Beta@1', 'Gamma@1', 'Alpha@1']);
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expectShape(page, ['Beta@1', 'Gamma@1', 'Alpha@1']);
});

test('Alt+arrows reorder, indent and outdent the focused page, which keeps the focus', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Keys');
  for (const name of ['A', 'B', 'C']) await addPage(page, name);
  await expect(item(page, 'C')).toHaveAttribute('aria-keyshortcuts', /Alt\+ArrowUp/);

  await item(page, 'C').focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expectShape(page, ['A@1', 'C@1', 'B@1']);
  await expect(item(page, 'C')).toBeFocused();
  await page.keyboard.press('Alt+ArrowUp');
  await expectShape(page, ['C@1', 'A@1', 'B@1']);
  await page.keyboard.press('Alt+ArrowUp'); // already first: nothing
  await page.keyboard.press('Alt+ArrowDown');
  await expectShape(page, ['A@1', 'C@1', 'B@1']);
  await expect(item(page, 'C')).toBeFocused();

  // Indent: the last child of the previous sibling.
  await page.keyboard.press('Alt+ArrowRight');
  await expectShape(page, ['A@1', 'C@2', 'B@1']);
  await expect(item(page, 'C')).toBeFocused();
  await page.keyboard.press('ArrowDown'); // plain arrows still move the focus
  await expect(item(page, 'B')).toBeFocused();
  await page.keyboard.press('Alt+ArrowRight');
  await expectShape(page, ['A@1', 'C@2', 'B@2']);
  await expect(item(page, 'B')).toBeFocused();

  // Outdent: right after the parent.
  await page.keyboard.press('ArrowUp');
  await expect(item(page, 'C')).toBeFocused();
  await page.keyboard.press('Alt+ArrowLeft');
  await expectShape(page, ['A@1', 'B@2', 'C@1']);
  await expect(item(page, 'C')).toBeFocused();

  // The same through the row menu.
  await sidebar(page).getByRole('button', { name: 'More actions for C', exact: true }).click();
  await page.getByRole('menu', { name: 'Actions for C' }).getByRole('menuitem', { name: 'Move up' }).click();
  await expectShape(page, ['C@1', 'A@1', 'B@2']);
  await sidebar(page).getByRole('button', { name: 'More actions for C', exact: true }).click();
  await page.getByRole('menu', { name: 'Actions for C' }).getByRole('menuitem', { name: 'Move down' }).click();
  await expectShape(page, ['A@1', 'B@2', 'C@1']);
  await expect(item(page, 'C')).toBeFocused();
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expectShape(page, ['A@1', 'B@2', 'C@1']);
});

test('a page is renamed inline: F2 and Enter commit, Escape cancels, a double-click and the menu open it too', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Names');
  await addPage(page, 'Draft');
  await addPage(page, 'Other');
  const box = tree(page).getByRole('textbox', { name: 'Rename page' });

  await item(page, 'Draft').focus();
  await page.keyboard.press('F2');
  await expect(box).toBeFocused();
  await expect(box).toHaveValue('Draft');
  await box.fill('Final');
  await page.keyboard.press('Enter');
  await expect(box).toBeHidden();
  await expect(item(page, 'Final')).toBeFocused();

  await page.keyboard.press('F2');
  await box.fill('Nope');
  await page.keyboard.press('Escape');
  await expect(box).toBeHidden();
  await expect(item(page, 'Final')).toBeFocused();
  await expectShape(page, ['Final@1', 'Other@1']);

  // A double-click opens the box; leaving it commits.
  await item(page, 'Other').dblclick();
  await expect(box).toHaveValue('Other');
  await box.fill('Second');
  await page.getByRole('main').click();
  await expectShape(page, ['Final@1', 'Second@1']);
  // The open page's title follows.
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Second');

  await sidebar(page).getByRole('button', { name: 'More actions for Final', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Rename' }).click();
  await expect(box).toBeFocused();
  await box.fill('First');
  await page.keyboard.press('Enter');
  await expect(item(page, 'First')).toBeFocused();
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expectShape(page, ['First@1', 'Second@1']);
});

test('a page is duplicated with its sub-pages and their text; the copy is independent of the original', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Copies');
  const content = page.getByRole('textbox', { name: 'Page content' });
  await addPage(page, 'Recipe');
  await addPage(page, 'After');
  for (const [name, text] of [['Soup', 'Lentils'], ['Bread', 'Flour'], ['Old', 'Gone']] as const) {
    await addPage(page, name, 'Recipe');
    await content.click();
    await page.keyboard.type(text);
    await expect(content).toHaveText(text);
  }
  // A trashed sub-page is not copied.
  await item(page, 'Old').focus();
  await page.keyboard.press('Delete');
  await expectShape(page, ['Recipe@1', 'Soup@2', 'Bread@2', 'After@1']);
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await sidebar(page).getByRole('button', { name: 'More actions for Recipe', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Duplicate' }).click();
  // The copy opens, right after the original.
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Recipe (copy)');
  await expectShape(page, ['Recipe@1', 'Soup@2', 'Bread@2', 'Recipe (copy)@1', 'After@1']);
  await item(page, 'Recipe (copy)').focus();
  await page.keyboard.press('ArrowRight');
  await expectShape(page, ['Recipe@1', 'Soup@2', 'Bread@2', 'Recipe (copy)@1', 'Soup@2', 'Bread@2', 'After@1']);

  // The copied Soup holds the text; editing it leaves the original alone.
  await tree(page).getByRole('treeitem', { name: 'Soup', exact: true }).nth(1).click();
  await expect(content).toHaveText('Lentils');
  await content.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' and carrots');
  await expect(content).toHaveText('Lentils and carrots');
  await tree(page).getByRole('treeitem', { name: 'Bread', exact: true }).nth(1).click();
  await expect(content).toHaveText('Flour');
  await tree(page).getByRole('treeitem', { name: 'Soup', exact: true }).nth(0).click();
  await expect(content).toHaveText('Lentils');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expectShape(page, ['Recipe@1', 'Soup@2', 'Bread@2', 'Recipe (copy)@1', 'Soup@2', 'Bread@2', 'After@1']);
  await expect(content).toHaveText('Lentils');
  await tree(page).getByRole('treeitem', { name: 'Soup', exact: true }).nth(1).click();
  await expect(content).toHaveText('Lentils and carrots');
});

test('drag and drop works in a long, virtualised tree', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Long');
  // Close the space list createSpace left open: the tree gets the sidebar's height.
  await sidebar(page).getByRole('button', { name: /^Switch space/ }).click();
  await addPage(page, 'Page 0000');
  // 150 more top-level pages through the core command (typing them would take minutes).
  await page.evaluate(async () => {
    const [, spaceId = ''] = /#\/space\/([^/]+)/.exec(location.hash) ?? [];
    type Ws = { openSpace(id: string): Promise<{ space: { createPage(o: { title: string }): string } }> };
    const ws = (globalThis as unknown as { quire: { workspace: Ws } }).quire.workspace;
    const handle = await ws.openSpace(decodeURIComponent(spaceId));
    for (let i = 1; i <= 150; i++) handle.space.createPage({ title: `Page ${String(i).padStart(4, '0')}` });
  });
  const items = tree(page).getByRole('treeitem');
  await expect(items.first()).toHaveAttribute('aria-setsize', '151', { timeout: 30_000 });
  await items.first().focus();
  await page.keyboard.press('End');
  await expect(item(page, 'Page 0150')).toBeFocused();
  expect(await items.count()).toBeLessThan(60);

  await item(page, 'Page 0150').dragTo(item(page, 'Page 0140'), { targetPosition: AT.before });
  await expect(item(page, 'Page 0150')).toHaveAttribute('aria-posinset', '141');
  await expect(item(page, 'Page 0140')).toHaveAttribute('aria-posinset', '142');
  await item(page, 'Page 0149').dragTo(item(page, 'Page 0145'), { targetPosition: AT.inside });
  await expect(item(page, 'Page 0149')).toHaveAttribute('aria-level', '2');
  await expect(item(page, 'Page 0145')).toHaveAttribute('aria-expanded', 'true');
  await expect(saveStatus(page)).toHaveText('Saved on this device', { timeout: 15_000 });

  await page.reload();
  await expect(items.first()).toHaveAttribute('aria-setsize', '150', { timeout: 30_000 });
  await items.first().focus();
  await page.keyboard.press('End');
  await expect(item(page, 'Page 0148')).toBeFocused();
  await expect(item(page, 'Page 0150')).toHaveAttribute('aria-posinset', '141');
  await expect(item(page, 'Page 0149')).toHaveAttribute('aria-level', '2');
});
