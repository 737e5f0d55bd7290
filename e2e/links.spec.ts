import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { createSpace, newPage, pageContent, saveStatus, sidebar, tree } from './helpers.ts';

const title = (page: Page) => page.getByRole('textbox', { name: 'Page title' });
const backlinks = (page: Page) => page.getByRole('region', { name: 'Backlinks' });
const linkSearch = (page: Page) => page.getByRole('listbox', { name: 'Link to page' });

async function openPage(page: Page, name: string) {
  await tree(page).getByRole('treeitem', { name, exact: true }).click();
  await expect(title(page)).toHaveValue(name);
}

test('links between pages: @ and [[ insert them, they navigate, show live titles and backlinks, after a reload too', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Linked');
  await newPage(page, 'Target page');
  await expect(backlinks(page)).toContainText('No other page links here.');
  await newPage(page, 'Other page');
  await newPage(page, 'Source');
  const content = pageContent(page);

  // "@" opens the search over the space's pages (not the page itself); typing filters; Enter picks.
  await page.keyboard.type('See @');
  await expect(linkSearch(page).getByRole('option')).toHaveText(['Other page', 'Target page'].sort());
  await page.keyboard.type('targ');
  await expect(linkSearch(page).getByRole('option')).toHaveText(['Target page']);
  await page.keyboard.press('Enter');
  await expect(linkSearch(page)).toBeHidden();
  const toTarget = content.getByRole('link', { name: 'Target page', exact: true }).first();
  await expect(toTarget).toBeVisible();
  await expect(toTarget).toHaveAttribute('href', /^#\/space\/[^/]+\/page\/[^/]+$/);
  await expect(content).not.toContainText('@');

  // "[[" works anywhere, with spaces in the query; a click picks.
  await page.keyboard.type('and[[other p');
  await expect(linkSearch(page).getByRole('option')).toHaveText(['Other page']);
  await linkSearch(page).getByRole('option', { name: 'Other page' }).click();
  await expect(content.getByRole('link', { name: 'Other page' })).toBeVisible();
  await expect(content).not.toContainText('[[');

  // The slash menu's "Link to page" opens the same search.
  await page.keyboard.type('/link');
  await page.getByRole('listbox', { name: 'Insert block' }).getByRole('option', { name: 'Link to page' }).click();
  await expect(linkSearch(page)).toBeVisible();
  await page.keyboard.type('Target');
  await page.keyboard.press('Enter');
  await expect(content.getByRole('link', { name: 'Target page' })).toHaveCount(2);
  await expect(content).not.toContainText('/link');
  await expect(content).toHaveText('See Target page andOther page Target page ');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  // A click follows the link; the target lists its backlink.
  const href = (await toTarget.getAttribute('href'))!;
  await toTarget.click();
  await expect(title(page)).toHaveValue('Target page');
  expect(await page.evaluate(() => location.hash)).toBe(href);
  await expect(backlinks(page).getByRole('link')).toHaveText(['Source']);

  // A rename of the target shows in the link, live.
  await title(page).fill('Renamed target');
  await backlinks(page).getByRole('link', { name: 'Source' }).click();
  await expect(title(page)).toHaveValue('Source');
  await expect(content.getByRole('link', { name: 'Renamed target' })).toHaveCount(2);
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expect(title(page)).toHaveValue('Source');
  await expect(pageContent(page).getByRole('link')).toHaveText(['Renamed target', 'Other page', 'Renamed target']);
  await pageContent(page).getByRole('link', { name: 'Other page' }).click();
  await expect(title(page)).toHaveValue('Other page');
  await expect(backlinks(page).getByRole('link')).toHaveText(['Source']);
  await openPage(page, 'Renamed target');
  await expect(backlinks(page).getByRole('link')).toHaveText(['Source']);
});

test('a link to a page deleted forever reads "Deleted page" and goes nowhere; removing a link removes the backlink', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Gone');
  await newPage(page, 'Doomed');
  await newPage(page, 'Keeper');
  await newPage(page, 'Source');
  await page.keyboard.type('@Doom');
  await page.keyboard.press('Enter');
  await page.keyboard.type('@Keep');
  await page.keyboard.press('Enter');
  const content = pageContent(page);
  await expect(content.getByRole('link')).toHaveText(['Doomed', 'Keeper']);

  // Keeper's backlink goes away once the link is deleted from Source.
  await openPage(page, 'Keeper');
  await expect(backlinks(page).getByRole('link')).toHaveText(['Source']);
  await openPage(page, 'Source');
  await content.click();
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace'); // the space after the link
  await page.keyboard.press('Backspace'); // the link (an atom)
  await expect(content.getByRole('link')).toHaveText(['Doomed']);
  await openPage(page, 'Keeper');
  await expect(backlinks(page)).toContainText('No other page links here.');

  // Delete "Doomed" forever.
  await sidebar(page).getByRole('button', { name: 'More actions for Doomed', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Move to Trash' }).click();
  await sidebar(page).getByRole('button', { name: 'Trash', exact: true }).click();
  const trash = page.getByRole('dialog', { name: 'Trash' });
  await trash.getByRole('button', { name: 'Delete Doomed forever' }).click();
  await page.getByRole('alertdialog', { name: 'Delete “Doomed” forever?' }).getByRole('button', { name: 'Delete forever' }).click();
  await trash.getByRole('button', { name: 'Close' }).click();

  await openPage(page, 'Source');
  await expect(content.getByRole('link')).toHaveCount(0);
  const dead = content.getByText('Deleted page');
  await expect(dead).toBeVisible();
  await dead.click();
  await expect(title(page)).toHaveValue('Source');
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await page.reload();
  await expect(pageContent(page).getByText('Deleted page')).toBeVisible();
  await expect(pageContent(page).getByRole('link')).toHaveCount(0);
});
