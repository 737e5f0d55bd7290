import { expect, test } from './fixtures.ts';
import { createSpace, openSpaceList, saveStatus, sidebar, tree } from './helpers.ts';

test('nested pages, their titles and their text are all there after a reload', async ({ page }) => {
  // The editor runs under the strict CSP: any refused inline style or script is recorded here.
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const cspViolations = () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
  await page.goto('/');
  await createSpace(page, 'Notebook');

  // A top-level page: created, opened, titled.
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await expect(tree(page).getByRole('treeitem', { name: 'Untitled' })).toBeVisible();
  const title = page.getByRole('textbox', { name: 'Page title' });
  await title.fill('Plans');
  await expect(tree(page).getByRole('treeitem', { name: 'Plans' })).toHaveAttribute('aria-level', '1');

  // A sub-page through the parent's add button: the parent expands, the child opens.
  await sidebar(page).getByRole('button', { name: 'Add a page inside Plans' }).click();
  await expect(tree(page).getByRole('treeitem', { name: 'Plans' })).toHaveAttribute('aria-expanded', 'true');
  await expect(title).toHaveValue('');
  await title.fill('Groceries');
  const child = tree(page).getByRole('treeitem', { name: 'Groceries' });
  await expect(child).toHaveAttribute('aria-level', '2');

  // Text in the editor (a Yjs document of its own).
  const content = page.getByRole('textbox', { name: 'Page content' });
  await content.click();
  await page.keyboard.type('Apples and pears');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Bread');
  await page.keyboard.press('Enter');
  await page.keyboard.type('[ ] Call the baker'); // a Markdown shortcut: a task list
  await expect(content.getByRole('checkbox')).toHaveCount(1);
  await expect(content).toContainText('Apples and pears');
  expect(await cspViolations()).toEqual([]);
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  // The last open page reopens, with its title and text; the tree keeps its shape.
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Plans', 'Groceries']);
  await expect(tree(page).getByRole('treeitem', { name: 'Groceries' })).toHaveAttribute('aria-level', '2');
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Groceries');
  await expect(page.getByRole('textbox', { name: 'Page content' }).locator('p')).toHaveText(['Apples and pears', 'Bread', 'Call the baker']);
  await expect(page.getByRole('textbox', { name: 'Page content' }).getByRole('checkbox')).toHaveCount(1);
  await expect(page.getByRole('navigation', { name: 'Breadcrumbs' })).toHaveText(/Notebook.*Plans.*Groceries/);
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  // Without a route in the URL, the last space and page reopen (from the routing UI-state collection).
  await page.goto('/');
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Groceries');
  await expect(page).toHaveURL(/#\/space\/[^/]+\/page\/[^/]+$/);

  // The parent page kept its own (empty) content and title.
  await tree(page).getByRole('treeitem', { name: 'Plans' }).click();
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Plans');
  await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText('');
  expect(await cspViolations()).toEqual([]);
});

test('the tree expands and collapses, and is driven by the keyboard', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Keys');
  const title = page.getByRole('textbox', { name: 'Page title' });
  for (const name of ['Alpha', 'Beta']) {
    await sidebar(page).getByRole('button', { name: 'New page' }).click();
    await title.fill(name);
    await expect(tree(page).getByRole('treeitem', { name })).toBeVisible();
  }
  await sidebar(page).getByRole('button', { name: 'Add a page inside Alpha' }).click();
  await title.fill('Alpha child');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Alpha child', 'Beta']);

  // Keyboard: focus the first item, move down, collapse with Left from the parent, open with Enter.
  const alpha = tree(page).getByRole('treeitem', { name: 'Alpha', exact: true });
  await alpha.focus();
  await page.keyboard.press('ArrowDown');
  await expect(tree(page).getByRole('treeitem', { name: 'Alpha child' })).toBeFocused();
  await page.keyboard.press('ArrowLeft'); // to the parent
  await expect(alpha).toBeFocused();
  await page.keyboard.press('ArrowLeft'); // collapse
  await expect(alpha).toHaveAttribute('aria-expanded', 'false');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Beta']);
  await page.keyboard.press('ArrowDown');
  await expect(tree(page).getByRole('treeitem', { name: 'Beta' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(title).toHaveValue('Beta');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowRight'); // expand
  await expect(alpha).toHaveAttribute('aria-expanded', 'true');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Alpha child', 'Beta']);
  // Only the focused item is in the tab order (roving tabindex).
  await expect(tree(page).locator('[role="treeitem"][tabindex="0"]')).toHaveCount(1);
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  // Mouse: the chevron collapses and expands without opening the page.
  await alpha.locator('.tree-twisty').click();
  await expect(alpha).toHaveAttribute('aria-expanded', 'false');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Beta']);
  await alpha.locator('.tree-twisty').click();
  await expect(alpha).toHaveAttribute('aria-expanded', 'true');
  await expect(title).toHaveValue('Beta');

  // Opening a page in the editor writes nothing into its document (no seeded paragraph, ever).
  await expect(page.getByRole('textbox', { name: 'Page content' })).toBeVisible();
  const blocks = await page.evaluate(async () => {
    const [, spaceId = '', pageId = ''] = /#\/space\/([^/]+)\/page\/([^/]+)/.exec(location.hash) ?? [];
    type Ws = { openSpace(id: string): Promise<{ openPage(id: string): Promise<{ doc: { getXmlFragment(n: string): { length: number } }; release(): Promise<void> }> }> };
    const ws = (globalThis as unknown as { quire: { workspace: Ws } }).quire.workspace;
    const handle = await (await ws.openSpace(decodeURIComponent(spaceId))).openPage(decodeURIComponent(pageId));
    const length = handle.doc.getXmlFragment('default').length;
    await handle.release();
    return length;
  });
  expect(blocks).toBe(0);
});

test('a long tree is virtualised: only the rows in view are in the DOM', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Many');
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page title' }).fill('Page 0000');
  // 250 more top-level pages through the core command (typing them would take minutes).
  await page.evaluate(async () => {
    const [, spaceId = ''] = /#\/space\/([^/]+)/.exec(location.hash) ?? [];
    type Ws = { openSpace(id: string): Promise<{ space: { createPage(o: { title: string }): string } }> };
    const ws = (globalThis as unknown as { quire: { workspace: Ws } }).quire.workspace;
    const handle = await ws.openSpace(decodeURIComponent(spaceId));
    for (let i = 1; i <= 250; i++) handle.space.createPage({ title: `Page ${String(i).padStart(4, '0')}` });
  });
  const items = tree(page).getByRole('treeitem');
  await expect(items.first()).toHaveAttribute('aria-setsize', '251', { timeout: 30_000 });
  expect(await items.count()).toBeLessThan(60);
  // End jumps to the last page, which is then rendered and focused.
  await items.first().focus();
  await page.keyboard.press('End');
  await expect(tree(page).getByRole('treeitem', { name: 'Page 0250' })).toBeFocused();
  await expect(tree(page).getByRole('treeitem', { name: 'Page 0250' })).toHaveAttribute('aria-posinset', '251');
  expect(await items.count()).toBeLessThan(60);
  await expect(saveStatus(page)).toHaveText('Saved on this device', { timeout: 15_000 });
});

test('each space reopens its own last page, also offline', async ({ page, context }) => {
  await page.goto('/');
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
  const title = page.getByRole('textbox', { name: 'Page title' });
  const content = page.getByRole('textbox', { name: 'Page content' });
  for (const [space, pageTitle, text] of [
    ['Work', 'Roadmap', 'Ship the sidebar'],
    ['Home', 'Recipes', 'Lentil soup'],
  ] as const) {
    await createSpace(page, space);
    await sidebar(page).getByRole('button', { name: 'New page' }).click();
    await title.fill(pageTitle);
    await content.click();
    await page.keyboard.type(text);
    await expect(saveStatus(page)).toHaveText('Saved on this device');
  }
  await openSpaceList(page);
  await page.getByRole('list', { name: 'Spaces' }).getByRole('button', { name: 'Work' }).click();
  await expect(title).toHaveValue('Roadmap');
  await expect(content).toHaveText('Ship the sidebar');
  await openSpaceList(page);
  await page.getByRole('list', { name: 'Spaces' }).getByRole('button', { name: 'Home' }).click();
  await expect(title).toHaveValue('Recipes');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Recipes']);

  // Offline cold start: the shell and the lazily loaded editor come from the service worker's cache.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.reload();
  await expect(title).toHaveValue('Recipes');
  await expect(content).toHaveText('Lentil soup');
  await context.setOffline(false);
});
