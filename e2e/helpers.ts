/** Shared steps of the workspace specs, through the accessible names the app promises. */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';

export const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' });
export const tree = (page: Page) => sidebar(page).getByRole('tree', { name: 'Pages' });
export const saveStatus = (page: Page) => page.getByRole('status', { name: 'Save status' });

/** Opens the space switcher's list of spaces (if it is not open yet). */
export async function openSpaceList(page: Page) {
  const button = sidebar(page).getByRole('button', { name: /^Switch space/ });
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  await expect(page.getByRole('list', { name: 'Spaces' })).toBeVisible();
}

export async function createSpace(page: Page, name: string) {
  await page.getByRole('button', { name: 'New space' }).click();
  await page.getByRole('textbox', { name: 'Space name' }).fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(sidebar(page).getByRole('button', { name: `Switch space (current: ${name})` })).toBeVisible();
  await openSpaceList(page);
  await expect(page.getByRole('list', { name: 'Spaces' }).getByRole('button', { name, exact: true })).toBeVisible();
  await expect(saveStatus(page)).toHaveText('Saved on this device');
}

/** Creates a page (at the top level, or inside `parent` through its add button) and titles it. */
export async function addPage(page: Page, name: string, parent?: string) {
  const button = parent ? sidebar(page).getByRole('button', { name: `Add a page inside ${parent}`, exact: true }) : sidebar(page).getByRole('button', { name: 'New page' });
  await button.click();
  const title = page.getByRole('textbox', { name: 'Page title' });
  await expect(title).toHaveValue('');
  await title.fill(name);
  await expect(tree(page).getByRole('treeitem', { name, exact: true })).toBeVisible();
}

/** The tree items' titles and levels, top to bottom ("Title@level"). */
export async function treeShape(page: Page): Promise<string[]> {
  const items = tree(page).getByRole('treeitem');
  return items.evaluateAll((els) => els.map((el) => `${el.getAttribute('aria-label') ?? ''}@${el.getAttribute('aria-level') ?? ''}`));
}

export const pageContent = (page: Page) => page.getByRole('textbox', { name: 'Page content' });

/** Creates a top-level page titled `title`, opens it and puts the caret in its (empty) content. */
export async function newPage(page: Page, title: string) {
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page title' }).fill(title);
  await expect(tree(page).getByRole('treeitem', { name: title })).toBeVisible();
  await pageContent(page).click();
}
