import { expect, test } from './fixtures.ts';
import { createSpace, saveStatus, sidebar, tree } from './helpers.ts';

test('the quick switcher finds a page by part of its title and opens it', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Switching');
  const title = page.getByRole('textbox', { name: 'Page title' });
  for (const name of ['Weekly plans', 'Recipes', 'Reading list']) {
    await sidebar(page).getByRole('button', { name: 'New page' }).click();
    await title.fill(name);
    await expect(tree(page).getByRole('treeitem', { name })).toBeVisible();
  }
  await sidebar(page).getByRole('button', { name: 'Add a page inside Recipes' }).click();
  await title.fill('Bread recipes');
  await expect(tree(page).getByRole('treeitem', { name: 'Bread recipes' })).toBeVisible();
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  // Ctrl+K from the tree: the combobox opens; typing narrows to matching titles, best first, with paths.
  await tree(page).getByRole('treeitem', { name: 'Weekly plans' }).focus();
  await page.keyboard.press('Control+K');
  const combo = page.getByRole('combobox', { name: 'Search pages' });
  await expect(combo).toBeFocused();
  await combo.pressSequentially('RECIP');
  const options = page.getByRole('listbox').getByRole('option');
  await expect(options).toHaveCount(2);
  await expect(options.nth(0)).toContainText('Recipes');
  await expect(options.nth(1)).toContainText('Bread recipes');
  await expect(options.nth(1)).toContainText('Switching / Recipes');
  await expect(combo).toHaveAttribute('aria-expanded', 'true');
  await expect(combo).toHaveAttribute('aria-activedescendant', (await options.nth(0).getAttribute('id')) ?? '');
  await page.keyboard.press('ArrowDown');
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(combo).toHaveAttribute('aria-activedescendant', (await options.nth(1).getAttribute('id')) ?? '');
  await page.keyboard.press('Enter');
  await expect(combo).toBeHidden();
  await expect(title).toHaveValue('Bread recipes');

  // Again, through the sidebar button: Enter opens the best match.
  await sidebar(page).getByRole('button', { name: 'Search' }).click();
  await combo.fill('weekly');
  await page.keyboard.press('Enter');
  await expect(title).toHaveValue('Weekly plans');

  // Escape closes and gives focus back.
  const search = sidebar(page).getByRole('button', { name: 'Search' });
  await search.focus();
  await page.keyboard.press('Control+K');
  await expect(combo).toBeFocused();
  await combo.fill('nothing like this');
  await expect(page.getByText('No page title matches.')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(combo).toBeHidden();
  await expect(search).toBeFocused();

  // The shortcut works from inside the editor too, and Escape returns there.
  const content = page.getByRole('textbox', { name: 'Page content' });
  await content.click();
  await page.keyboard.press('Control+K');
  await expect(combo).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(content).toBeFocused();
});

test('Settings: the theme is stored and applied, and the storage section reports usage', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Looks');
  await sidebar(page).getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  const themes = dialog.getByRole('radiogroup', { name: 'Theme' });
  await expect(themes.getByRole('radio', { name: 'Follow the system' })).toBeChecked();
  await themes.getByRole('radio', { name: 'Dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(dialog.getByText(/uses \d+(\.\d)? (B|kB|MB|GB) of \d+(\.\d)? (B|kB|MB|GB|TB)/)).toBeVisible();
  await expect(dialog.getByText(/Kept on this device|Not protected yet/)).toBeVisible();
  // Per space: measured on demand from the space's own stored rows.
  await dialog.getByRole('button', { name: 'Measure “Looks”' }).click();
  await expect(dialog.getByRole('status', { name: 'Space storage' })).toContainText(/“Looks” takes \d+(\.\d)? (B|kB|MB) in 1 document /);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await page.reload();
  await expect(sidebar(page).getByRole('button', { name: 'Settings' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => getComputedStyle(document.body).colorScheme || getComputedStyle(document.documentElement).colorScheme)).toContain('dark');

  await sidebar(page).getByRole('button', { name: 'Settings' }).click();
  await expect(dialog.getByRole('radio', { name: 'Dark' })).toBeChecked();
  await dialog.getByRole('radio', { name: 'Light' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await dialog.getByRole('radio', { name: 'Follow the system' }).check();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
