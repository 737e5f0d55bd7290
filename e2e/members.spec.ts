/**
 * The owner manages who has access (Share > Members) with two devices and the real relay process: revoking
 * an editor stops its sync at once with the reason, its later edits stay on its device (also after a
 * reload), and neither the owner nor the relay ever gets them.
 */
import { join as joinPath } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from '@playwright/test';
import * as Y from 'yjs';
import { RELAY_DB_FILE } from '../relay/server.ts';
import { pageText } from '../src/collections/pageText.ts';
import { expect, test } from './fixtures.ts';
import { addPage, createSpace, pageContent, saveStatus, sidebar, tree } from './helpers.ts';
import { createInvite, join, relayRig, startSyncing, syncStatus } from './devices.ts';
import { routeIds } from './storedPages.ts';

/** One member per page of the owner's list, so the tests go through "Show more members". */
const rig = relayRig('members', { env: { QUIRE_RELAY_MEMBERS_PER_PAGE: '1' } });
const device = (browser: Browser, baseURL: string | undefined, url?: string) => rig.device(browser, baseURL, url);

/** The text the relay stored for one page, read straight from its SQLite file. */
function relayPageText(spaceId: string, pageId: string): string {
  const db = new Database(joinPath(rig.dataDir, RELAY_DB_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT data FROM documents WHERE name = ?').get(`${spaceId}/${pageId}`) as { data: Uint8Array } | undefined;
    const doc = new Y.Doc();
    if (row) Y.applyUpdate(doc, row.data);
    return pageText(doc);
  } finally {
    db.close();
  }
}

async function typeAtEnd(page: Page, text: string) {
  await pageContent(page).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

test('the owner revokes an editor: sync stops with the reason, later edits stay on that device and never reach the owner', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await createSpace(a.page, 'Team');
  await addPage(a.page, 'Notes');
  await typeAtEnd(a.page, 'Shared start.');
  await startSyncing(a.page, rig.relay.url);
  const link = await createInvite(a.page, 'Editor');

  const b = await device(browser, baseURL);
  await join(b, link, 'Bea');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Notes', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Notes', exact: true }).click();
  await expect(pageContent(b.page)).toContainText('Shared start.', { timeout: 20_000 });
  await typeAtEnd(b.page, ' Bea was here.');
  await expect(pageContent(a.page)).toContainText('Shared start. Bea was here.', { timeout: 20_000 });

  // A: Share lists Bea as an editor, and the invite created on this device.
  await sidebar(a.page).getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = a.page.getByRole('dialog');
  const members = dialog.getByRole('list', { name: 'Members' });
  const bea = members.getByRole('listitem', { name: 'Bea' });
  await expect(bea).toContainText('Editor', { timeout: 20_000 });
  // One member per page: Bea (the most recently joined) first, then the owner's device on the next page.
  await expect(members.getByRole('listitem')).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Show more members' }).click();
  await expect(members.getByRole('listitem')).toHaveCount(2); // the owner's device and Bea
  await expect(dialog.getByRole('button', { name: 'Show more members' })).toHaveCount(0);
  await expect(members.getByRole('listitem').filter({ hasText: 'this device' })).toContainText('Owner');
  await expect(members.getByRole('button', { name: /^Revoke / })).toHaveCount(1); // the owner is not revocable
  const invites = dialog.getByRole('list', { name: 'Invites created on this device' });
  await expect(invites.getByRole('listitem')).toHaveCount(1);
  await expect(invites.getByRole('listitem')).toContainText('joined by 1 device');

  // Revoking asks first; cancelling changes nothing.
  await bea.getByRole('button', { name: 'Revoke Bea' }).click();
  const confirm = a.page.getByRole('alertdialog', { name: 'Revoke Bea?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(bea.getByRole('button', { name: 'Revoke Bea' })).toBeVisible();
  await bea.getByRole('button', { name: 'Revoke Bea' }).click();
  await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(confirm).toHaveCount(0);
  await expect(bea).toContainText('Revoked');
  await expect(bea.getByRole('button', { name: 'Revoke Bea' })).toHaveCount(0);

  // B is told why sync stopped, and keeps typing: the edits stay on B, also after a reload.
  await expect(syncStatus(b.page)).toContainText('Sync stopped', { timeout: 20_000 });
  await expect(syncStatus(b.page)).toContainText('revoked');
  await typeAtEnd(b.page, ' Typed after revocation.');
  await expect(saveStatus(b.page)).toHaveText('Saved on this device');
  await b.page.reload();
  await expect(pageContent(b.page)).toContainText('Bea was here. Typed after revocation.', { timeout: 20_000 });
  await expect(syncStatus(b.page)).toContainText('revoked', { timeout: 20_000 });

  // A keeps syncing, and neither A nor the relay ever gets what B typed after the revocation.
  await dialog.getByRole('button', { name: 'Done' }).click();
  await typeAtEnd(a.page, ' Owner still syncing.');
  await expect(syncStatus(a.page)).toContainText('Synced', { timeout: 20_000 });
  const { spaceId, pageId } = routeIds(a.page);
  // The relay has the owner's later edit (the channel works), and never B's.
  await expect.poll(() => relayPageText(spaceId, pageId), { timeout: 20_000 }).toContain('Owner still syncing.');
  expect(relayPageText(spaceId, pageId)).not.toContain('Typed after revocation');
  await a.page.reload();
  await expect(pageContent(a.page)).toContainText('Owner still syncing.', { timeout: 20_000 });
  await expect(syncStatus(a.page)).toContainText('Synced', { timeout: 20_000 });
  await expect(pageContent(a.page)).not.toContainText('Typed after revocation');
  await expect(pageContent(b.page)).not.toContainText('Owner still syncing.');
});

test('the owner revokes an invite: the device that joined with it stops syncing, the list says so', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await createSpace(a.page, 'Crew');
  await addPage(a.page, 'Plan');
  await typeAtEnd(a.page, 'Plan text.');
  await startSyncing(a.page, rig.relay.url);
  const link = await createInvite(a.page, 'Viewer');

  const b = await device(browser, baseURL);
  await join(b, link, 'Vic');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Plan', exact: true })).toBeVisible({ timeout: 20_000 });

  await sidebar(a.page).getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = a.page.getByRole('dialog');
  await expect(dialog.getByRole('list', { name: 'Members' }).getByRole('listitem', { name: 'Vic' })).toContainText('Viewer', { timeout: 20_000 });
  const invite = dialog.getByRole('list', { name: 'Invites created on this device' }).getByRole('listitem');
  await expect(invite).toContainText('Viewer');
  await invite.getByRole('button', { name: 'Revoke invite' }).click();
  await a.page.getByRole('alertdialog', { name: 'Revoke this invite?' }).getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(invite).toContainText('Revoked');
  await expect(invite.getByRole('button', { name: 'Revoke invite' })).toHaveCount(0);
  await expect(dialog.getByRole('list', { name: 'Members' }).getByRole('listitem', { name: 'Vic' })).toContainText('Revoked');
  await expect(syncStatus(b.page)).toContainText('revoked', { timeout: 20_000 });
  // The invite list is kept on the owner's device: it is still there after a reload.
  await a.page.reload();
  await sidebar(a.page).getByRole('button', { name: 'Share', exact: true }).click();
  await expect(a.page.getByRole('dialog').getByRole('list', { name: 'Invites created on this device' }).getByRole('listitem')).toContainText('Revoked');
});

test('with the relay out of reach, the member list says the relay cannot be reached, and lists the members once it is back', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await createSpace(a.page, 'Crew');
  await startSyncing(a.page, rig.relay.url);
  await a.page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
  await rig.relay.stop('SIGKILL');
  await expect(syncStatus(a.page)).toContainText('Offline', { timeout: 20_000 });

  await sidebar(a.page).getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = a.page.getByRole('dialog');
  const alert = dialog.getByRole('alert');
  // Offline the command fails at once; caught between two reconnect attempts it waits for its answer first.
  await expect(alert).toContainText(/Could not list the members: The relay (cannot be reached|did not answer)/, { timeout: 20_000 });
  await expect(alert).not.toContainText('local storage');

  await rig.restartRelay();
  await expect(syncStatus(a.page)).toContainText('Synced', { timeout: 30_000 });
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(dialog.getByRole('list', { name: 'Members' }).getByRole('listitem')).toContainText('this device', { timeout: 20_000 });
  await expect(alert).toHaveCount(0);
});
