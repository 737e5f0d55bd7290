import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSpace, saveStatus, sidebar } from './helpers.ts';
import { expect, test } from './fixtures.ts';
import { serveCopyOfDist } from './staticServer.ts';

test('a new version waits for the user: "A new version of Quire is ready", Reload, and nothing typed is lost', async ({ page }) => {
  const server = await serveCopyOfDist();
  try {
    await page.goto(`${server.url}/`);
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await createSpace(page, 'Versions');
    await sidebar(page).getByRole('button', { name: 'New page' }).click();
    await page.getByRole('textbox', { name: 'Page content' }).click();
    await page.keyboard.type('Written with version one.');
    await expect(saveStatus(page)).toHaveText('Saved on this device');
    await page.evaluate(() => ((window as { marker?: number }).marker = 1));

    // Deploy "version two": a different service worker script. The browser installs it; it waits.
    appendFileSync(join(server.dir, 'sw.js'), '\n// version two\n');
    await page.evaluate(async () => void (await (await navigator.serviceWorker.getRegistration())?.update()));
    const prompt = page.getByRole('region', { name: 'Update' });
    await expect(prompt.getByText('A new version of Quire is ready.')).toBeVisible();
    // Non-blocking: the tab was not reloaded and still takes input.
    expect(await page.evaluate(() => (window as { marker?: number }).marker)).toBe(1);
    await page.getByRole('textbox', { name: 'Page content' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' Still typing.');

    await prompt.getByRole('button', { name: 'Reload' }).click();
    await page.waitForFunction(() => (window as { marker?: number }).marker === undefined);
    await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText('Written with version one. Still typing.');
    // The new worker controls the reloaded tab and nothing is left waiting.
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: reg?.waiting ?? null, controlled: navigator.serviceWorker.controller !== null };
    });
    expect(state).toEqual({ waiting: null, controlled: true });
    await expect(page.getByRole('region', { name: 'Update' })).toHaveCount(0);
  } finally {
    await page.close();
    await server.close();
  }
});
