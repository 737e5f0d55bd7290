/**
 * Two devices offline at once (the relay is down), each editing the same paragraph and moving the same
 * page under a different parent; after the relay comes back both hold identical content and an identical
 * tree, no typed text is lost, and the space's invariants hold on both.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { addPage, createSpace, pageContent, saveStatus, sidebar, tree, treeShape } from './helpers.ts';
import { createInvite, join, relayRig, startSyncing, syncStatus } from './devices.ts';
import { routeIds } from './storedPages.ts';

const rig = relayRig('conflict');
const device = (browser: Browser, baseURL: string | undefined, url?: string) => rig.device(browser, baseURL, url);

/** Tree menu > Move to… > `destination` > Move. */
async function movePage(page: Page, name: string, destination: string) {
  await sidebar(page).getByRole('button', { name: `More actions for ${name}`, exact: true }).click();
  await page.getByRole('menuitem', { name: 'Move to…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Move page' });
  await dialog.getByRole('option', { name: destination, exact: true }).click();
  await dialog.getByRole('button', { name: 'Move' }).click();
  await expect(dialog).toBeHidden();
}

interface SpaceState {
  problems: string[];
  /** Every page as "title < parent title", in the space's own tree order. */
  tree: string[];
}

/** The space's own invariant check (the core's) and its tree, read from the device's open space. */
function spaceState(page: Page, spaceId: string): Promise<SpaceState> {
  return page.evaluate(async (id) => {
    type Record = { id: string; parentId: string | null; title: string };
    type Handle = { space: { checkInvariants(): unknown[]; listPages(): Record[] } };
    const quire = (globalThis as unknown as { quire: { workspace: { openSpace(id: string): Promise<Handle> } } }).quire;
    const { space } = await quire.workspace.openSpace(id);
    const pages = space.listPages();
    const title = (pid: string | null) => (pid === null ? '(top)' : (pages.find((p) => p.id === pid)?.title ?? '?'));
    return { problems: space.checkInvariants().map(String), tree: pages.map((p) => `${p.title} < ${title(p.parentId)}`) };
  }, spaceId);
}

test('both devices offline edit the same paragraph and move the same page: identical after reconnecting, nothing lost', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await createSpace(a.page, 'Shared');
  for (const name of ['Beta', 'Gamma', 'Delta']) await addPage(a.page, name);
  await addPage(a.page, 'Alpha');
  await pageContent(a.page).click();
  await a.page.keyboard.type('One shared paragraph.');
  const { spaceId } = routeIds(a.page);
  await startSyncing(a.page, rig.relay.url);
  const link = await createInvite(a.page, 'Editor');

  const b = await device(browser, baseURL);
  await join(b, link, 'Bea');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Delta', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(pageContent(b.page)).toHaveText('One shared paragraph.');
  await expect(syncStatus(b.page)).toContainText('Synced', { timeout: 20_000 });
  await expect(syncStatus(a.page)).toContainText('Synced', { timeout: 20_000 });

  // The relay goes away: both devices are offline from each other.
  await rig.relay.stop();
  for (const d of [a, b]) await expect(syncStatus(d.page)).not.toContainText('Synced', { timeout: 20_000 });

  // Same paragraph, different words at its end; the same page under different parents.
  await pageContent(a.page).click();
  await a.page.keyboard.press('End');
  await a.page.keyboard.type(' A was here.');
  await movePage(a.page, 'Delta', 'Beta');
  await pageContent(b.page).click();
  await b.page.keyboard.press('End');
  await b.page.keyboard.type(' B too.');
  await movePage(b.page, 'Delta', 'Gamma');
  for (const d of [a, b]) await expect(saveStatus(d.page)).toHaveText('Saved on this device');

  // The relay comes back on the same address; both reconnect and exchange what the other lacks.
  await rig.restartRelay();
  for (const d of [a, b]) await expect(syncStatus(d.page)).toContainText('Synced', { timeout: 30_000 });

  // Identical content, and neither device's words were lost.
  await expect.poll(async () => [await pageContent(a.page).textContent(), await pageContent(b.page).textContent()], { timeout: 20_000 }).toEqual([
    await pageContent(b.page).textContent(),
    await pageContent(a.page).textContent(),
  ]);
  const text = (await pageContent(a.page).textContent()) ?? '';
  expect(text).toContain('One shared paragraph.');
  expect(text).toContain(' A was here.');
  expect(text).toContain(' B too.');
  expect(await pageContent(b.page).textContent()).toBe(text);

  // Identical tree: Delta under exactly one of the two parents, the same on both devices; invariants hold.
  await expect.poll(async () => JSON.stringify((await spaceState(a.page, spaceId)).tree) === JSON.stringify((await spaceState(b.page, spaceId)).tree), { timeout: 20_000 }).toBe(true);
  const stateA = await spaceState(a.page, spaceId);
  const stateB = await spaceState(b.page, spaceId);
  expect(stateA.tree.filter((t) => t.startsWith('Delta <'))).toHaveLength(1);
  expect(['Delta < Beta', 'Delta < Gamma']).toContain(stateA.tree.find((t) => t.startsWith('Delta <')));
  for (const name of ['Alpha', 'Beta', 'Gamma']) expect(stateA.tree).toContain(`${name} < (top)`);
  expect(stateA.problems).toEqual([]);
  expect(stateB.problems).toEqual([]);
  // And the sidebars agree (what the user sees; a parent may be expanded on one device only).
  const topLevel = async (page: Page) => (await treeShape(page)).filter((t) => t.endsWith('@1'));
  expect(await topLevel(a.page)).toEqual(await topLevel(b.page));
});
