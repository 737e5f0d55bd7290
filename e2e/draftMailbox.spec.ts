import * as Y from 'yjs';
import { createSpace, saveStatus, sidebar } from './helpers.ts';
import { expect, test } from './fixtures.ts';
import { countRows } from './tabsAndRows.ts';
import { routeIds, storedPageText, storedUpdates } from './storedPages.ts';

test('a draft left by a crash is offered on the page, restored by a merge, and saved', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Crashes');
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page title' }).fill('Journal');
  await page.getByRole('textbox', { name: 'Page content' }).click();
  await page.keyboard.type('Saved line.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  const { spaceId, pageId } = routeIds(page);

  // What a crashed tab leaves behind: a mailbox entry whose update the page store never received.
  const doc = new Y.Doc();
  for (const u of await storedUpdates(page, spaceId, pageId)) Y.applyUpdate(doc, u);
  const before = Y.encodeStateVector(doc);
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText('Typed just before the crash.')]);
  doc.getXmlFragment('default').push([paragraph]);
  const update = Array.from(Y.encodeStateAsUpdate(doc, before));
  await page.evaluate(
    ([row, bytes]) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('quire');
        req.onerror = () => reject(new Error(String(req.error)));
        req.onsuccess = () => {
          const tx = req.result.transaction('draftMailbox', 'readwrite');
          tx.objectStore('draftMailbox').put({ ...row, update: Uint8Array.from(bytes) });
          tx.oncomplete = () => (req.result.close(), resolve());
          tx.onerror = () => reject(new Error(String(tx.error)));
        };
      }),
    [
      { pageId, spaceId, text: 'Saved line. Typed just before the crash.', updatedAtMs: Date.now(), baseUpdatedAtMs: null, conflictState: 'none' },
      update,
    ] as const,
  );

  await page.reload();
  const notice = page.getByRole('region', { name: 'Unsaved draft' });
  await expect(notice).toContainText('Typed just before the crash.');
  await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText('Saved line.');
  await notice.getByRole('button', { name: 'Restore draft' }).click();
  await expect(notice).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Page content' })).toContainText('Typed just before the crash.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  expect(await storedPageText(page, spaceId, pageId)).toBe('Saved line.\nTyped just before the crash.');

  // Once restored, the entry is gone: a reload offers nothing.
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Page content' })).toContainText('Typed just before the crash.');
  await expect(page.getByRole('region', { name: 'Unsaved draft' })).toHaveCount(0);
});

test('a draft the page already holds is cleared without asking', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'No crash');
  await sidebar(page).getByRole('button', { name: 'New page' }).click();
  await page.getByRole('textbox', { name: 'Page content' }).click();
  await page.keyboard.type('All stored.');
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  const { spaceId, pageId } = routeIds(page);
  const doc = new Y.Doc();
  for (const u of await storedUpdates(page, spaceId, pageId)) Y.applyUpdate(doc, u);
  const update = Array.from(Y.encodeStateAsUpdate(doc));
  await page.evaluate(
    ([row, bytes]) =>
      new Promise<void>((resolve) => {
        const req = indexedDB.open('quire');
        req.onsuccess = () => {
          const tx = req.result.transaction('draftMailbox', 'readwrite');
          tx.objectStore('draftMailbox').put({ ...row, update: Uint8Array.from(bytes) });
          tx.oncomplete = () => (req.result.close(), resolve());
        };
      }),
    [{ pageId, spaceId, text: 'All stored.', updatedAtMs: Date.now(), baseUpdatedAtMs: null, conflictState: 'none' }, update] as const,
  );
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Page content' })).toHaveText('All stored.');
  await expect.poll(() => countRows(page, 'draftMailbox')).toBe(0);
  await expect(page.getByRole('region', { name: 'Unsaved draft' })).toHaveCount(0);
});
