/**
 * A profile written by the previous release itself (a real build of it, its own UI typing into it) is opened by
 * this version on the same origin: every page and word arrives in the space store, no database of the old format
 * is left, and a tab still running the previous release is told to reload and stops writing.
 *
 * Needs a build of the previous release (previousReleaseBuild.ts): `PREVIOUS_RELEASE_DIST=<dir>`, or EXTENSIVE=1,
 * which builds it from git (about a minute, hence not in the default `npm test`). Skipped otherwise.
 */
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';
import { addPage, createSpace, openSpaceList, saveStatus, sidebar, tree } from './helpers.ts';
import { databaseNames } from './previousVersionSpace.ts';
import { previousReleaseDist } from './previousReleaseBuild.ts';
import { serveCopyOfDist } from './staticServer.ts';

/** Pages the previous release writes through its own UI (each typed: slow, so a handful). */
const PAGES = 6;

test.skip(!process.env.PREVIOUS_RELEASE_DIST && process.env.EXTENSIVE !== '1', 'needs PREVIOUS_RELEASE_DIST or EXTENSIVE=1 (a build of the previous release)');

test('a profile written by the previous release upgrades with every page and word; its open tab is told to reload', async ({ page, context }) => {
  test.setTimeout(300_000);
  const previous = previousReleaseDist();
  if (!previous) throw new Error('no build of the previous release');
  const server = await serveCopyOfDist(previous);
  try {
    await page.goto(server.url);
    await createSpace(page, 'Written before');
    for (let i = 0; i < PAGES; i++) {
      await addPage(page, `Old page ${i}`, i === 3 ? 'Old page 2' : undefined);
      await page.getByRole('textbox', { name: 'Page content' }).click();
      await page.keyboard.type(`Words the previous release typed into page ${i}.`);
      await expect(saveStatus(page)).toHaveText('Saved on this device');
    }
    await createSpace(page, 'Second old space');
    await addPage(page, 'Lonely page');
    await expect(saveStatus(page)).toHaveText('Saved on this device');
    const oldNames = (await databaseNames(page)).filter((n) => /^quire:[^:]+:[^:]+$/.test(n));
    // One database per page with content and per space document, as that release stored them ("Lonely page" has
    // no content, so no database of its own: its title lives in the space document).
    expect(oldNames.length, oldNames.join(', ')).toBe(PAGES + 2);

    // A second tab keeps running the previous release.
    const oldTab = await context.newPage();
    await oldTab.goto(server.url);
    await expect(sidebar(oldTab).getByRole('button', { name: /^Switch space/ })).toBeVisible();

    // This version is deployed: the files change, and the first tab loads it from the server. (Its requests bypass
    // the previous release's service worker, which keeps serving the old tab from its cache, as it would until
    // that tab reloads; IndexedDB is shared by both.)
    for (const entry of readdirSync(server.dir)) rmSync(join(server.dir, entry), { recursive: true, force: true });
    cpSync('dist', server.dir, { recursive: true });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setBypassServiceWorker', { bypass: true });
    await page.goto(`${server.url}/?fresh=1`);
    // This version runs in the first tab: it made the space databases.
    await expect.poll(async () => (await databaseNames(page)).filter((n) => /^quire:[^:]+$/.test(n)).length, { timeout: 30_000 }).toBeGreaterThan(0);

    const notice = oldTab.getByRole('alertdialog', { name: 'Quire was updated' });
    await expect(notice).toBeVisible({ timeout: 10_000 });
    await expect(notice).toContainText('stopped saving');

    await openSpaceList(page);
    await page.getByRole('list', { name: 'Spaces' }).getByRole('button', { name: /Written before$/ }).click();
    await expect(sidebar(page).getByRole('button', { name: 'Switch space (current: Written before)' })).toBeVisible({ timeout: 30_000 });
    await tree(page).getByRole('treeitem', { name: 'Old page 2', exact: true }).focus();
    await page.keyboard.press('ArrowRight'); // its child, page 3
    for (let i = 0; i < PAGES; i++) {
      await tree(page).getByRole('treeitem', { name: `Old page ${i}`, exact: true }).click();
      await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText(`Words the previous release typed into page ${i}.`);
    }
    await openSpaceList(page);
    await page.getByRole('list', { name: 'Spaces' }).getByRole('button', { name: /Second old space$/ }).click();
    await expect(tree(page).getByRole('treeitem', { name: 'Lonely page', exact: true })).toBeVisible({ timeout: 30_000 });
    await expect.poll(async () => (await databaseNames(page)).filter((n) => /^quire:[^:]+:[^:]+$/.test(n)), { timeout: 30_000 }).toEqual([]);
    expect((await databaseNames(page)).filter((n) => /^quire:[^:]+$/.test(n))).toHaveLength(2);

    // And the next save works in the new store.
    await page.getByRole('textbox', { name: 'Page content' }).click();
    await page.keyboard.type('Written after the upgrade.');
    await expect(saveStatus(page)).toHaveText('Saved on this device');
  } finally {
    await server.close();
  }
});
