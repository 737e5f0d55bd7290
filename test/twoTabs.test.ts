/**
 * Two tabs of one browser, composed as the app composes them: each a LocalWorkspace over the SAME
 * IndexedDB, with the other-tabs channel (real BroadcastChannel) and one lock manager (as one origin
 * shares its Web Locks). One tab leads a space's projection; the other sees its Dexie writes.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { LocalWorkspace } from '../src/app/LocalWorkspace.ts';
import { InProcessTabLocks, TabChannelLayer, TabPresence } from '../src/sync/index.ts';

async function openTab(indexedDB: IDBFactory, locks: InProcessTabLocks) {
  const presence = await TabPresence.claim(locks);
  const ws = await LocalWorkspace.open({
    indexedDB,
    locks,
    coalesceMs: 5,
    extraLayers: [(spaceId) => new TabChannelLayer(spaceId, { presence })],
  });
  return { ws, presence };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 2000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('two tabs', () => {
  it('share live edits, write the projection and event log once, and hand the lead over on close', async () => {
    const indexedDB = new IDBFactory();
    const locks = new InProcessTabLocks();
    const a = await openTab(indexedDB, locks);
    const b = await openTab(indexedDB, locks);
    const ha = await a.ws.createSpace({ name: 'Shared' });
    const hb = await b.ws.openSpace(ha.id);
    expect([a.ws.isLeading(ha.id), b.ws.isLeading(ha.id)]).toEqual([true, false]);

    const pageId = ha.space.createPage({ title: 'From A' });
    await until(() => hb.space.getPage(pageId)?.title === 'From A');
    const pa = await ha.openPage(pageId);
    const pb = await hb.openPage(pageId);
    pa.doc.getText('body').insert(0, 'typed in A. ');
    await until(() => pb.doc.getText('body').toString().includes('typed in A'));
    pb.doc.getText('body').insert(pb.doc.getText('body').length, 'typed in B.');
    await until(() => pa.doc.getText('body').toString().endsWith('typed in B.'));
    hb.space.renamePage(pageId, 'Renamed in B');
    await until(() => ha.space.getPage(pageId)?.title === 'Renamed in B');

    await a.ws.projected(ha.id);
    await ha.flush();
    await hb.flush();
    // Only the leader (A, the creator) logged: one event per change, no duplicates from B.
    const events = await a.ws.db.events.where('[spaceId+seq]').between([ha.id, 0], [ha.id, Infinity]).toArray();
    expect(events.map((e) => e.type)).toEqual(['space.created', 'page.created', 'page.renamed']);
    expect(await a.ws.writer.verifyEventChain(ha.id)).toMatchObject({ ok: true });
    // B reads A's projection writes through its own connection.
    expect((await b.ws.db.pages.get([ha.id, pageId]))?.title).toBe('Renamed in B');

    // A closes the space: B takes the lead and logs from now on.
    await pa.release();
    await a.ws.closeSpace(ha.id);
    await until(() => b.ws.isLeading(ha.id));
    hb.space.renamePage(pageId, 'After the hand-over');
    await until(async () => (await b.ws.db.pages.get([ha.id, pageId]))?.title === 'After the hand-over');
    await b.ws.projected(ha.id);
    const after = await b.ws.db.events.where('[spaceId+seq]').between([ha.id, 0], [ha.id, Infinity]).toArray();
    expect(after.map((e) => e.type)).toEqual(['space.created', 'page.created', 'page.renamed', 'page.renamed']);
    expect(await b.ws.writer.verifyEventChain(ha.id)).toMatchObject({ ok: true });

    await pb.release();
    await b.ws.close();
    await a.ws.close();
    a.presence.release();
    b.presence.release();

    // Both tabs' text is in the store once reopened.
    const c = await LocalWorkspace.open({ indexedDB });
    const reopened = await c.openSpace(ha.id);
    expect((await reopened.openPage(pageId)).doc.getText('body').toString()).toBe('typed in A. typed in B.');
    await c.close();
  });
});
