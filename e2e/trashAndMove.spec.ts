import { expect, test } from './fixtures.ts';
import { addPage as newPage, createSpace, saveStatus, sidebar, tree } from './helpers.ts';

test('a page moves under another through the Move page dialog, by keyboard only', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Moves');
  for (const name of ['Alpha', 'Beta', 'Gamma']) await newPage(page, name);
  await newPage(page, 'Beta child', 'Beta');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Beta', 'Beta child', 'Gamma']);

  // Keyboard from here on: focus Beta, Tab to its menu button, open the menu, choose "Move to…".
  await tree(page).getByRole('treeitem', { name: 'Beta', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(sidebar(page).getByRole('button', { name: 'Add a page inside Beta', exact: true })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(sidebar(page).getByRole('button', { name: 'More actions for Beta', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'Actions for Beta' });
  await expect(menu.getByRole('menuitem')).toHaveText(['Move to…', 'Move up', 'Move down', 'Rename', 'Duplicate', 'Move to Trash']);
  await expect(menu.getByRole('menuitem', { name: 'Move to…' })).toBeFocused();
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: 'Move page' });
  await expect(dialog).toBeVisible();
  const options = dialog.getByRole('listbox', { name: 'Destinations' }).getByRole('option');
  // Neither Beta nor its own sub-page is offered.
  await expect(options).toHaveText(['Top level (current)', 'Alpha', 'Gamma']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('option', { name: 'Gamma' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowUp');
  await expect(dialog.getByRole('option', { name: 'Alpha' })).toHaveAttribute('aria-selected', 'true');
  // Typing filters the destinations.
  await page.keyboard.type('gam');
  await expect(options).toHaveText(['Gamma']);
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('alp');
  await expect(options).toHaveText(['Alpha']);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();

  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Beta', 'Beta child', 'Gamma']);
  await expect(tree(page).getByRole('treeitem', { name: 'Alpha' })).toHaveAttribute('aria-expanded', 'true');
  await expect(tree(page).getByRole('treeitem', { name: 'Beta', exact: true })).toHaveAttribute('aria-level', '2');
  await expect(tree(page).getByRole('treeitem', { name: 'Beta child' })).toHaveAttribute('aria-level', '3');
  await expect(tree(page).getByRole('treeitem', { name: 'Beta', exact: true })).toBeFocused();

  // And back to the top level, through the button this time.
  await sidebar(page).getByRole('button', { name: 'More actions for Beta', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Move to…' }).click();
  await expect(dialog.getByRole('option')).toHaveText(['Top level', 'Alpha (current)', 'Gamma']);
  await dialog.getByRole('option', { name: 'Top level' }).click();
  await dialog.getByRole('button', { name: 'Move' }).click();
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Gamma', 'Beta', 'Beta child']);
  await expect(tree(page).getByRole('treeitem', { name: 'Beta', exact: true })).toHaveAttribute('aria-level', '1');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Alpha', 'Gamma', 'Beta', 'Beta child']);
});

test('pages go to the Trash, come back, and are deleted forever after a confirmation', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Bins');
  await newPage(page, 'Keep');
  await newPage(page, 'Toss');
  await newPage(page, 'Toss child', 'Toss');
  await tree(page).getByRole('treeitem', { name: 'Toss', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Page title' })).toHaveValue('Toss');

  // The open page goes to the Trash through its menu: the app leaves it.
  await sidebar(page).getByRole('button', { name: 'More actions for Toss', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Move to Trash' }).click();
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Keep']);
  await expect(page.getByRole('textbox', { name: 'Page title' })).toBeHidden();
  await expect(page).toHaveURL(/#\/space\/[^/]+$/);

  // It is in the Trash, and it comes back with its sub-page.
  await sidebar(page).getByRole('button', { name: 'Trash', exact: true }).click();
  const trash = page.getByRole('dialog', { name: 'Trash' });
  await expect(trash.getByRole('listitem')).toHaveCount(1);
  await expect(trash.getByRole('listitem')).toContainText('Toss');
  await trash.getByRole('button', { name: 'Restore Toss' }).click();
  await expect(trash).toContainText('The trash is empty.');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Keep', 'Toss', 'Toss child']);
  await page.keyboard.press('Escape');
  await expect(trash).toBeHidden();

  // The Delete key on a focused tree item moves it to the Trash too.
  await tree(page).getByRole('treeitem', { name: 'Toss', exact: true }).focus();
  await page.keyboard.press('Delete');
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Keep']);

  // Deleting forever asks first, naming the page and its sub-pages.
  await sidebar(page).getByRole('button', { name: 'Trash', exact: true }).click();
  await trash.getByRole('button', { name: 'Delete Toss forever' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete “Toss” forever?' });
  await expect(confirm).toContainText('“Toss” and its 1 sub-page will be deleted');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(trash.getByRole('listitem')).toHaveCount(1);
  await trash.getByRole('button', { name: 'Delete Toss forever' }).click();
  await confirm.getByRole('button', { name: 'Delete forever' }).click();
  await expect(confirm).toBeHidden();
  await expect(trash).toContainText('The trash is empty.');
  await trash.getByRole('button', { name: 'Close' }).click();
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expect(tree(page).getByRole('treeitem')).toHaveText(['Keep']);
  await sidebar(page).getByRole('button', { name: 'Trash', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Trash' })).toContainText('The trash is empty.');
});
