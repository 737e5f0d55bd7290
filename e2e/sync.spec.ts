/**
 * Two devices (two browser contexts) sharing a space through the real relay process on loopback.
 */
import type { Browser } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { addPage, createSpace, pageContent, sidebar, tree } from './helpers.ts';
import { createInvite, join, relayRig, startSyncing, syncStatus, type Device } from './devices.ts';
import { routeIds, storedPageText } from './storedPages.ts';
import * as Y from 'yjs';
import { openRawSocket, SyncType } from '../relay/testing/rawRelaySocket.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startRelayProcess } from '../relay/testing/relayProcess.ts';
import { inviteLink, parseInviteLink, relayToken } from '../src/protocol/inviteLink.ts';
import { parseCloseReason, RelayCloseReason } from '../src/protocol/accessMessages.ts';

const rig = relayRig('relay');
const device = (browser: Browser, baseURL: string | undefined, url?: string) => rig.device(browser, baseURL, url);

/** Device A: a space "Shared" with a nested page whose text device B never opens before checking it. */
async function ownerWithSpace(a: Device) {
  await createSpace(a.page, 'Shared');
  await addPage(a.page, 'Alpha');
  await pageContent(a.page).click();
  await a.page.keyboard.type('Alpha text');
  await addPage(a.page, 'Beta');
  await addPage(a.page, 'Gamma', 'Beta');
  await pageContent(a.page).click();
  await a.page.keyboard.type('Gamma text, never opened on B');
  await startSyncing(a.page, rig.relay.url);
}

test('an editor invite brings every page to a second device, and both edit one page live', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await ownerWithSpace(a);
  const link = await createInvite(a.page, 'Editor');

  const b = await device(browser, baseURL);
  await join(b, link, 'Bea');
  await expect(sidebar(b.page).getByRole('button', { name: 'Switch space (current: Shared)' })).toBeVisible({ timeout: 20_000 });
  await expect(tree(b.page).getByRole('treeitem', { name: 'Beta', exact: true })).toBeVisible();
  // Every page is on B's disk, also the ones B never opened: read B's page store raw.
  const { spaceId } = routeIds(a.page);
  await expect(sidebar(b.page).getByRole('status', { name: 'Sync status' })).toContainText('Synced', { timeout: 20_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Beta', exact: true }).click();
  const gammaId = await a.page.evaluate(() => decodeURIComponent(location.hash.split('/page/')[1] ?? ''));
  await expect.poll(() => storedPageText(b.page, spaceId, gammaId), { timeout: 20_000 }).toContain('Gamma text, never opened on B');

  // Both edit the same page live.
  await tree(a.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(pageContent(b.page)).toContainText('Alpha text');
  await pageContent(a.page).click();
  await a.page.keyboard.press('End');
  await a.page.keyboard.type(' from A');
  await expect(pageContent(b.page)).toContainText('Alpha text from A');
  await pageContent(b.page).click();
  await b.page.keyboard.press('End');
  await b.page.keyboard.type(' and B');
  await expect(pageContent(a.page)).toContainText('Alpha text from A and B');
  // The other device's caret and name show in the editor.
  await expect(a.page.locator('.remote-caret-label', { hasText: 'Bea' })).toBeVisible();
  await expect(syncStatus(a.page)).toContainText('Synced', { timeout: 20_000 });
  await expect(syncStatus(b.page)).toContainText('Synced', { timeout: 20_000 });
});

test('a viewer invite gives a read-only space, and a crafted write with its capability is refused by the relay', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await ownerWithSpace(a);
  const link = await createInvite(a.page, 'Viewer');
  const b = await device(browser, baseURL);
  await join(b, link, 'Vic');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(pageContent(b.page)).toContainText('Alpha text');
  await expect(pageContent(b.page)).toHaveAttribute('contenteditable', 'false');
  await expect(b.page.getByRole('textbox', { name: 'Page title' })).toHaveAttribute('readonly', '');
  await expect(sidebar(b.page).getByRole('button', { name: 'New page' })).toHaveCount(0);

  // A modified client with this viewer's real capability: a valid update is refused by the relay.
  await tree(a.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(pageContent(a.page)).toContainText('Alpha text');
  const { spaceId, pageId } = routeIds(a.page);
  const settings = await b.page.evaluate((id) => {
    const quire = (globalThis as unknown as { quire: { sharing: { view(id: string): { settings: { capability: string; memberId: string; name: string } | null } } } }).quire;
    return quire.sharing.view(id).settings;
  }, spaceId);
  expect(settings).not.toBeNull();
  const token = relayToken({ capability: settings!.capability, memberId: settings!.memberId, name: settings!.name });
  const docName = `${spaceId}/${pageId}`;
  const socket = await openRawSocket(rig.relay.url);
  try {
    socket.auth(docName, token);
    await expect.poll(() => socket.events.some((e) => e.doc === docName && e.kind === 'authenticated')).toBe(true);
    socket.sync(docName, SyncType.Step1, Y.encodeStateVector(new Y.Doc()));
    await expect.poll(() => socket.events.some((e) => e.kind === 'sync' && e.type === SyncType.Step2)).toBe(true);
    const current = new Y.Doc();
    for (const e of socket.events) if (e.kind === 'sync' && e.type !== SyncType.Step1) Y.applyUpdate(current, e.payload);
    const before = Y.encodeStateVector(current);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('VIEWER WAS HERE')]);
    current.getXmlFragment('default').insert(0, [paragraph]); // the editor's field (PageEditor.tsx)
    socket.sync(docName, SyncType.Update, Y.encodeStateAsUpdate(current, before));
    await expect.poll(() => socket.events.filter((e) => e.kind === 'close').map((e) => (e.kind === 'close' ? parseCloseReason(e.reason) : null))).toEqual([RelayCloseReason.Forbidden]);
  } finally {
    socket.close();
  }
  // Never broadcast: the owner's page goes on without it, and the owner's later words still reach the viewer.
  await pageContent(a.page).click();
  await a.page.keyboard.press('End');
  await a.page.keyboard.type(' and more');
  await expect(pageContent(b.page)).toContainText('Alpha text and more');
  await expect(pageContent(a.page)).not.toContainText('VIEWER WAS HERE');
  await expect(pageContent(b.page)).not.toContainText('VIEWER WAS HERE');
});

test('the relay stopped mid-sync and restarted: nothing lost, the status honest in between', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await ownerWithSpace(a);
  const link = await createInvite(a.page, 'Editor');
  const b = await device(browser, baseURL);
  await join(b, link, 'Bea');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true })).toBeVisible({ timeout: 20_000 });

  await rig.relay.stop('SIGKILL');
  await tree(a.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await pageContent(a.page).click();
  await a.page.keyboard.press('End');
  await a.page.keyboard.type(' typed while the relay was down');
  await expect(syncStatus(a.page)).not.toContainText('Synced');
  await expect(syncStatus(a.page)).toContainText(/Offline|Connecting|not on the relay/, { timeout: 20_000 });
  await expect(a.page.getByRole('status', { name: 'Save status' })).toHaveText('Saved on this device');

  await rig.restartRelay();
  await expect(syncStatus(a.page)).toContainText('Synced', { timeout: 30_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(pageContent(b.page)).toContainText('typed while the relay was down', { timeout: 30_000 });
});

test('a device whose storage was cleared gets everything back from the invite', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await ownerWithSpace(a);
  const link = await createInvite(a.page, 'Editor');
  const b = await device(browser, baseURL);
  await join(b, link, 'Bea');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(syncStatus(b.page)).toContainText('Synced', { timeout: 20_000 });

  // Clear B's site data as the browser's "Clear site data" does (every IndexedDB database, the service
  // worker, caches), with no tab of the app open, then reopen the invite in the same browser profile.
  const origin = new URL(baseURL!).origin;
  await b.page.goto('about:blank');
  const cdp = await b.context.newCDPSession(b.page);
  await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
  await b.page.goto('/');
  expect(await b.page.evaluate(async () => (await indexedDB.databases()).filter((d) => d.name?.startsWith('quire:')).length)).toBe(0);
  const b2 = b;
  await join(b2, link, 'Bea again');
  await expect(tree(b2.page).getByRole('treeitem', { name: 'Beta', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree(b2.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(pageContent(b2.page)).toContainText('Alpha text');
});

test('an expired invite stops sync and loses no local edit', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await ownerWithSpace(a);
  // B's browser and app start before the invite exists: its few seconds of life are for joining and the first
  // sync only (on a loaded machine, starting a browser context alone took most of them, and the invite expired
  // before B could join).
  const b = await device(browser, baseURL);
  // The dialog offers expiries of an hour and more; a few seconds are set through the same call it makes.
  const link = await a.page.evaluate(async () => {
    const q = (globalThis as unknown as { quire: { workspace: { manager: { openSpace(id: string): Promise<unknown> } }; sharing: { createInviteLink(h: unknown, r: string, e: number, base: string): Promise<string> } } }).quire;
    const spaceId = decodeURIComponent(location.hash.split('/')[2] ?? '');
    const handle = await q.workspace.manager.openSpace(spaceId);
    return q.sharing.createInviteLink(handle, 'editor', Date.now() + 8_000, `${location.origin}/`);
  });
  await join(b, link, 'Bea');
  await expect(tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree(b.page).getByRole('treeitem', { name: 'Alpha', exact: true }).click();
  await expect(syncStatus(b.page)).toContainText('Sync stopped', { timeout: 30_000 });
  await expect(syncStatus(b.page)).toContainText('expired');
  await pageContent(b.page).click();
  await b.page.keyboard.press('End');
  await b.page.keyboard.type(' kept after expiry');
  await expect(b.page.getByRole('status', { name: 'Save status' })).toHaveText('Saved on this device');
  const { spaceId, pageId } = routeIds(b.page);
  await expect.poll(() => storedPageText(b.page, spaceId, pageId)).toContain('kept after expiry');
});

test('an invite opened before the space reached its relay says what happened and what to do, not a space id', async ({ browser, baseURL }) => {
  const a = await device(browser, baseURL);
  await ownerWithSpace(a);
  const link = await createInvite(a.page, 'Editor');
  // The same invite, pointing at a relay that has never seen the space: what a device meets when it opens
  // an invite before the owner's device has synced the space to the relay.
  const emptyDir = mkdtempSync(joinPath(tmpdir(), 'quire-e2e-empty-relay-'));
  const empty = await startRelayProcess(emptyDir);
  try {
    const parts = parseInviteLink(link);
    const early = inviteLink(link, { relayUrl: empty.url, spaceId: parts.spaceId, spaceName: parts.spaceName, capability: parts.capability });
    const b = await device(browser, baseURL);
    await join(b, early, 'Bea');
    const alert = b.page.getByRole('main').getByRole('alert');
    await expect(alert).toContainText('has not reached the relay yet', { timeout: 20_000 });
    await expect(alert).toContainText('tries again by itself');
    await expect(alert).not.toContainText(parts.spaceId);
  } finally {
    await empty.stop();
    rmSync(emptyDir, { recursive: true, force: true });
  }
});
