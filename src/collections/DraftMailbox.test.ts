import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { UpdateRejectedError } from '../core/errors.ts';
import { SpaceManager } from '../core/manager/SpaceManager.ts';
import { FaultyLayer } from '../core/persistence/FaultyLayer.ts';
import { MemoryLayer, MemoryStore } from '../core/persistence/MemoryLayer.ts';
import { openQuireDatabase, type QuireDatabase } from '../storage/db/index.ts';
import { DraftMailbox } from './DraftMailbox.ts';
import { pageText } from './pageText.ts';
import { createUiStateCollections } from './uiStateCollections.ts';

const fast = { coalesceMs: 2, retryInitialMs: 5, retryMaxMs: 20 };
let count = 0;
const dbs: QuireDatabase[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

async function setup() {
  const db = await openQuireDatabase({ name: `drafts-${++count}` });
  dbs.push(db);
  const rows = createUiStateCollections(db).draftMailbox;
  const mailbox = new DraftMailbox(rows, { afterMs: 20, refreshMs: 40 });
  const store = new MemoryStore();
  const faulty = new FaultyLayer(new MemoryLayer('s', store), {});
  const manager = new SpaceManager({ layers: [() => faulty], ...fast });
  const space = await manager.createSpace({ id: 's', name: 'Drafts' });
  const pageId = space.space.createPage({ title: 'Notes' });
  const page = await space.openPage(pageId);
  return { db, rows, mailbox, store, faulty, space, pageId, page };
}

function type(doc: Y.Doc, text: string): void {
  const fragment = doc.getXmlFragment('default');
  doc.transact(() => {
    let paragraph = fragment.get(0) as Y.XmlElement | undefined;
    if (!paragraph) {
      paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText()]);
      fragment.insert(0, [paragraph]);
    }
    const t = paragraph.get(0) as Y.XmlText;
    t.insert(t.length, text);
  });
}

describe('DraftMailbox', () => {
  it('keeps changes the store cannot take, and restores them after a crash through the guard', async () => {
    const { rows, mailbox, store, faulty, space, pageId, page } = await setup();
    type(page.doc, 'Saved part.');
    await space.flush();
    const stop = mailbox.keep(space, pageId, page.doc);

    faulty.plan = { failWrite: { at: faulty.writes + 1, mode: 'forever' } };
    type(page.doc, ' Only in memory.');
    await vi.waitFor(() => expect(rows.get(pageId)?.text).toBe('Saved part. Only in memory.'), { timeout: 2_000 });
    expect(rows.get(pageId)).toMatchObject({ spaceId: 's', conflictState: 'none' });
    stop();

    // The tab crashes: a new manager reads the store, which lacks the last change.
    const after = new SpaceManager({ layers: [() => new MemoryLayer('s', store)], ...fast });
    const reopened = await after.openSpace('s');
    const again = await reopened.openPage(pageId);
    expect(pageText(again.doc)).toBe('Saved part.');
    expect(await mailbox.review(pageId, again.doc)).toBe('ahead');
    expect(rows.get(pageId)?.conflictState).toBe('ahead');

    await mailbox.restore(reopened, pageId, again.doc);
    expect(pageText(again.doc)).toBe('Saved part. Only in memory.');
    expect(rows.has(pageId)).toBe(false);
    const third = await new SpaceManager({ layers: [() => new MemoryLayer('s', store)] }).openSpace('s');
    expect(pageText((await third.openPage(pageId)).doc)).toBe('Saved part. Only in memory.');
  });

  it('writes nothing while saves are healthy, and deletes the entry once the store acknowledges', async () => {
    const { rows, mailbox, faulty, space, pageId, page } = await setup();
    const acknowledged = vi.fn();
    const stop = mailbox.keep(space, pageId, page.doc, acknowledged);
    const inserts = vi.spyOn(rows, 'insert');
    for (let i = 0; i < 5; i++) {
      type(page.doc, `word ${i} `);
      await space.flush();
    }
    await new Promise((r) => setTimeout(r, 60));
    expect(inserts).not.toHaveBeenCalled();
    expect(acknowledged).toHaveBeenCalledTimes(5);

    faulty.plan = { failWrite: { at: faulty.writes + 1, mode: 'forever' } };
    type(page.doc, 'stuck');
    await vi.waitFor(() => expect(rows.has(pageId)).toBe(true), { timeout: 2_000 });
    faulty.heal();
    await vi.waitFor(() => expect(rows.has(pageId)).toBe(false), { timeout: 2_000 });
    stop();
  });

  it('clears an entry the page already holds (another tab or device stored it)', async () => {
    const { rows, mailbox, space, pageId, page } = await setup();
    type(page.doc, 'Everything is stored.');
    await space.flush();
    const tx = rows.insert({
      pageId,
      spaceId: 's',
      text: 'Everything',
      update: Y.encodeStateAsUpdate(page.doc),
      updatedAtMs: Date.now(),
      baseUpdatedAtMs: null,
      conflictState: 'none',
    });
    await tx.isPersisted.promise;
    expect(await mailbox.review(pageId, page.doc)).toBe('cleared');
    expect(rows.has(pageId)).toBe(false);
  });

  it('refuses a malformed entry with the guard\'s typed error, leaving the page untouched, and can discard it', async () => {
    const { rows, mailbox, space, pageId, page } = await setup();
    type(page.doc, 'Intact.');
    const tx = rows.insert({
      pageId,
      spaceId: 's',
      text: '?',
      update: Uint8Array.from([1, 2, 3, 250, 7]),
      updatedAtMs: Date.now(),
      baseUpdatedAtMs: null,
      conflictState: 'none',
    });
    await tx.isPersisted.promise;
    expect(await mailbox.review(pageId, page.doc)).toBe('ahead');
    await expect(mailbox.restore(space, pageId, page.doc)).rejects.toBeInstanceOf(UpdateRejectedError);
    expect(pageText(page.doc)).toBe('Intact.');
    await mailbox.discard(pageId);
    expect(rows.has(pageId)).toBe(false);
  });
});
