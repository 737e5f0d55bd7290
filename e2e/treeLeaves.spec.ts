import { addPage, createSpace, saveStatus, sidebar, tree } from './helpers.ts';
import { expect, test } from './fixtures.ts';

test('only pages with sub-pages outside the Trash offer to expand; leaves say nothing of it', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Leaves');
  await sidebar(page).getByRole('button', { name: /^Switch space/ }).click();
  await addPage(page, 'Parent');
  await addPage(page, 'Child', 'Parent');
  await addPage(page, 'Lonely');
  const item = (name: string) => tree(page).getByRole('treeitem', { name, exact: true });

  await expect(item('Parent')).toHaveAttribute('aria-expanded', 'true');
  await expect(item('Child')).not.toHaveAttribute('aria-expanded', /.*/);
  await expect(item('Lonely')).not.toHaveAttribute('aria-expanded', /.*/);
  // Right on a leaf does nothing (no invisible "expanded" state).
  await item('Lonely').focus();
  await page.keyboard.press('ArrowRight');
  await expect(item('Lonely')).toBeFocused();
  await expect(item('Lonely')).not.toHaveAttribute('aria-expanded', /.*/);

  // The only child goes to the Trash: the parent becomes a leaf; restored, it offers to expand again.
  await sidebar(page).getByRole('button', { name: 'More actions for Child', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Move to Trash' }).click();
  await expect(item('Parent')).not.toHaveAttribute('aria-expanded', /.*/);
  await sidebar(page).getByRole('button', { name: 'Trash' }).click();
  await page.getByRole('dialog', { name: 'Trash' }).getByRole('button', { name: 'Restore Child' }).click();
  await page.keyboard.press('Escape');
  await expect(item('Parent')).toHaveAttribute('aria-expanded', /true|false/);

  // Moving the child out makes the parent a leaf, after a reload too.
  await item('Child').focus();
  await page.keyboard.press('Alt+ArrowLeft');
  await expect(item('Parent')).not.toHaveAttribute('aria-expanded', /.*/);
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await page.reload();
  await expect(item('Parent')).toBeVisible();
  await expect(item('Parent')).not.toHaveAttribute('aria-expanded', /.*/);
  await expect(item('Child')).not.toHaveAttribute('aria-expanded', /.*/);
});
