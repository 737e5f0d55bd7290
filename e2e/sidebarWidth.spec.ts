import { createSpace, sidebar } from './helpers.ts';
import { expect, test } from './fixtures.ts';

test('the sidebar is resized with the keyboard or the pointer, within bounds, and keeps its width after a reload', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Wide');
  const handle = page.getByRole('separator', { name: 'Resize sidebar' });
  const width = () => sidebar(page).evaluate((el) => Math.round(el.getBoundingClientRect().width));
  await expect(handle).toHaveAttribute('aria-valuenow', '268');
  expect(await width()).toBe(268);

  await handle.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(handle).toHaveAttribute('aria-valuenow', '300');
  await page.keyboard.press('Home');
  await expect(handle).toHaveAttribute('aria-valuenow', '200');

  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 150, box.y + 200, { steps: 5 });
  await page.mouse.up();
  await expect(handle).toHaveAttribute('aria-valuenow', '350');
  expect(await width()).toBe(350);

  await page.mouse.move(box.x + 150, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + 2000, box.y + 200, { steps: 3 });
  await page.mouse.up();
  await expect(handle).toHaveAttribute('aria-valuenow', '520');

  await page.waitForTimeout(200); // UI state is written in the background
  await page.reload();
  await expect(page.getByRole('separator', { name: 'Resize sidebar' })).toHaveAttribute('aria-valuenow', '520');
  expect(await width()).toBe(520);
});
