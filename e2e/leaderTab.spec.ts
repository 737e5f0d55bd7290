/**
 * One relay socket per browser (decision 0012): two tabs of device A (one browser context) and device B,
 * with the real relay process on loopback. Only the leader tab of A has a WebSocket to the relay; an edit
 * typed in A's other tab reaches B through the leader, also on a page only that tab shows; when the leader
 * tab closes, the remaining tab takes the connection over and its edits still reach B.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { addPage, createSpace, pageContent, sidebar, tree } from './helpers.ts';
import { createInvite, join, relayRig, startSyncing, syncStatus } from './devices.ts';

const rig = relayRig('leader', { checkProblems: false });

/** Counts the WebSockets a page opens to the relay (and how many are still open). */
function relaySockets(page: Page) {
  const counts = { opened: 0, open: 0 };
  page.on('websocket', (ws) => {
    if (!ws.url().startsWith(rig.relay.url)) return;
    counts.opened++;
    counts.open++;
    ws.on('close', () => counts.open--);
  });
  return counts;
}

async function typeAtEnd(page: Page, text: string) {
  await pageContent(page).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

test('one relay socket per browser; the other tab syncs through the leader, and takes over when it closes', async ({ browser, baseURL }) => {
  const a = await rig.device(browser, baseURL);
  const leaderSockets = relaySockets(a.page);
  await createSpace(a.page, 'Shared');
  await addPage(a.page, 'Alpha');
  await pageContent(a.page).click();
  await a.page.keyboard.type('Alpha text');
  await startSyncing(a.page, rig.relay.url);

  // A second tab of the same browser, on the same page.
  const a2 = await a.context.newPage();
  const followerSockets = relaySockets(a2);
  const followerProblems: string[] = [];
  a2.on('pageerror', (e) => followerProblems.push(`uncaught: ${e.message}`));
  await a2.goto(a.page.url());
  await expect(pageContent(a2)).toContainText('Alpha text');
  await expect(syncStatus(a2)).toContainText('Synced', { timeout: 20_000 });

  const link = await createInvite(a.page, 'Editor');
  const b = await rig.device(browser, baseURL);
  await join(b, link, 'Bea');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(pageContent(b.page)).toContainText('Alpha text', { timeout: 20_000 });

  // Typed in the tab that does not hold the connection: reaches B through the leader.
  await typeAtEnd(a2, ' from tab 2');
  await expect(pageContent(b.page)).toContainText('Alpha text from tab 2', { timeout: 20_000 });
  await expect(syncStatus(a2)).toContainText('Synced', { timeout: 20_000 });
  expect(leaderSockets.opened + followerSockets.opened, 'sockets from device A').toBe(1);
  expect(followerSockets.opened).toBe(0);

  // B's edits reach the follower tab live, too.
  await typeAtEnd(b.page, ' and B');
  await expect(pageContent(a2)).toContainText('Alpha text from tab 2 and B', { timeout: 20_000 });

  // A page only the follower tab shows: the leader holds it open for it, so its text reaches B too.
  await addPage(a2, 'Beta');
  await pageContent(a2).click();
  await a2.keyboard.type('Beta typed in tab 2 only');
  await tree(b.page).getByRole('treeitem', { name: 'Beta', exact: true }).click({ timeout: 20_000 });
  await expect(pageContent(b.page)).toContainText('Beta typed in tab 2 only', { timeout: 20_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await tree(a2).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  expect(followerSockets.opened).toBe(0);

  // The leader tab closes: the remaining tab opens the one socket and keeps syncing.
  await a.page.close();
  await expect.poll(() => followerSockets.open, { timeout: 20_000 }).toBe(1);
  await typeAtEnd(a2, ' after the leader left');
  await expect(pageContent(b.page)).toContainText('and B after the leader left', { timeout: 20_000 });
  await expect(syncStatus(a2)).toContainText('Synced', { timeout: 20_000 });
  expect(followerSockets.opened).toBe(1);
  await expect(sidebar(a2)).toBeVisible();
  expect([...a.problems, ...followerProblems, ...b.problems], 'page or console errors').toEqual([]);
});

test('a follower tab shows the other device’s caret, sends its own, and the owner manages members from it', async ({ browser, baseURL }) => {
  const a = await rig.device(browser, baseURL);
  await createSpace(a.page, 'Shared');
  await addPage(a.page, 'Alpha');
  await pageContent(a.page).click();
  await a.page.keyboard.type('Alpha text');
  await startSyncing(a.page, rig.relay.url);
  const link = await createInvite(a.page, 'Editor');

  // A second tab of A on Alpha: a follower (no socket of its own).
  const a2 = await a.context.newPage();
  const followerSockets = relaySockets(a2);
  const followerProblems: string[] = [];
  a2.on('pageerror', (e) => followerProblems.push(`uncaught: ${e.message}`));
  await a2.goto(a.page.url());
  await expect(pageContent(a2)).toContainText('Alpha text');
  await expect(syncStatus(a2)).toContainText('Synced', { timeout: 20_000 });

  // The leader tab moves to another page: what B sees of A on Alpha comes from the follower.
  await addPage(a.page, 'Beta');

  const b = await rig.device(browser, baseURL);
  await join(b, link, 'Bea');
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click({ timeout: 20_000 });
  await expect(pageContent(b.page)).toContainText('Alpha text', { timeout: 20_000 });
  await typeAtEnd(b.page, ' and B');

  // Bea's caret and name show in the follower tab; the follower's caret shows on B.
  await expect(a2.locator('.remote-caret-label', { hasText: 'Bea' })).toBeVisible({ timeout: 20_000 });
  await typeAtEnd(a2, ' and tab 2');
  await expect(pageContent(b.page)).toContainText('and B and tab 2', { timeout: 20_000 });
  await expect(b.page.locator('.remote-caret-label')).toHaveCount(1, { timeout: 20_000 });

  // Share > Members in the follower tab: the leader asks the relay on its behalf.
  await sidebar(a2).getByRole('button', { name: 'Share', exact: true }).click();
  const members = a2.getByRole('dialog').getByRole('list', { name: 'Members' });
  await expect(members.getByRole('listitem', { name: 'Bea' })).toContainText('Editor', { timeout: 20_000 });
  await expect(members.getByRole('listitem')).toHaveCount(2); // the owner's device and Bea
  expect(followerSockets.opened).toBe(0);
  expect([...a.problems, ...followerProblems, ...b.problems], 'page or console errors').toEqual([]);
});
