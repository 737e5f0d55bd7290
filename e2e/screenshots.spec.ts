/**
 * The README screenshots of the main screen, light and dark: `QUIRE_SCREENSHOTS=1 npx playwright test
 * screenshots`. Skipped otherwise (the suite should not rewrite files under docs/ on every run).
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { createSpace, saveStatus, sidebar, tree } from './helpers.ts';

test.skip(!process.env.QUIRE_SCREENSHOTS, 'set QUIRE_SCREENSHOTS=1 to refresh docs/screenshots');

async function newPage(page: Page, title: string, parent?: string) {
  if (parent) await sidebar(page).getByRole('button', { name: `Add a page inside ${parent}`, exact: true }).click();
  else await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page title' }).fill(title);
  await expect(tree(page).getByRole('treeitem', { name: title })).toBeVisible();
}

test('screenshots of the workspace, light and dark', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await createSpace(page, 'Field notes');
  await sidebar(page).getByRole('button', { name: /^Switch space/ }).click(); // close the list again
  await newPage(page, 'Garden redesign');
  await newPage(page, 'Soil tests', 'Garden redesign');
  await newPage(page, 'Planting calendar', 'Garden redesign');
  await newPage(page, 'Reading list');
  await newPage(page, 'Weekly review');
  await newPage(page, 'Spring retreat');
  await tree(page).getByRole('treeitem', { name: 'Garden redesign' }).click();
  const content = page.getByRole('textbox', { name: 'Page content' });
  await content.click();
  const k = page.keyboard;
  await k.type('## Goals');
  await k.press('Enter');
  await k.type('A calmer garden that needs less water and gives something to pick every month of the year.');
  await k.press('Enter');
  await k.type('## This week');
  await k.press('Enter');
  await k.type('[ ] Order the raised-bed timber');
  await k.press('Enter');
  await k.type('Ask the neighbours about the fence');
  await k.press('Enter');
  await k.type('Sketch the new path');
  await k.press('Enter');
  await k.press('Enter');
  await k.type('## Notes');
  await k.press('Enter');
  await k.type('The soil near the wall is ');
  await k.press('Control+b');
  await k.type('heavy clay');
  await k.press('Control+b');
  await k.type(': start with the beds on the south side, and keep the old apple tree. Plants to try are in @read');
  await k.press('Enter');
  await k.press('Backspace'); // the space the link insert adds after itself
  await k.type('.');
  await page.locator('ul[data-type="taskList"] input[type="checkbox"]').first().check();
  await page.getByRole('textbox', { name: 'Page title' }).click();
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await page.mouse.move(900, 700);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: 'docs/screenshots/workspace-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'docs/screenshots/workspace-dark.png' });
});
