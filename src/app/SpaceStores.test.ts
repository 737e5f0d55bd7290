import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { SpaceManager } from '../core/manager/SpaceManager.ts';
import { migration001 } from '../storage/db/migrations/001_initial.ts';
import { migration002 } from '../storage/db/migrations/002_trash_and_draft_base.ts';
import { migration003 } from '../storage/db/migrations/003_page_links.ts';
import { IndexedDbLayer } from '../storage/pages/IndexedDbLayer.ts';
import { pageDbName, spaceDbPrefix } from '../storage/pages/naming.ts';
import { spaceDbName } from '../storage/space/spaceDbSchema.ts';
import { InProcessTabLocks } from '../sync/tabs/InProcessTabLocks.ts';
import { LocalWorkspace } from './LocalWorkspace.ts';
import type { StorageUpgradeState } from './SpaceStores.ts';

const fast = { coalesceMs: 1 };

/** A space as the previous version stored it: one database per page, written through the old page store. */
async function previousVersionSpace(indexedDB: IDBFactory, pages: number): Promise<{ id: string; pageIds: string[] }> {
  const manager = new SpaceManager({ layers: [(id) => new IndexedDbLayer(id, { indexedDB })], coalesceMs: 1 });
  const h = await manager.createSpace({ name: 'From the previous version' });
  const pageIds: string[] = [];
  for (let i = 0; i < pages; i++) {
    const pageId = h.space.createPage({ title: `Page ${i}` });
    const page = await h.openPage(pageId);
    page.doc.getText('t').insert(0, `every word of page ${i}`);
    pageIds.push(pageId);
  }
  await h.flush();
  await manager.close();
  return { id: h.id, pageIds };
}

/** The IndexedDB, with every database open logged (and one database refusable), as the app would be given it. */
function loggingFactory(indexedDB: IDBFactory, log: string[]) {
  let refuse: string | null = null;
  const factory = {
    open: (name: string, version?: number) => {
      log.push(`open ${name}`);
      if (name === refuse) throw new DOMException('Internal error opening backing store', 'UnknownError');
      return version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
    },
    deleteDatabase: (name: string) => indexedDB.deleteDatabase(name),
    databases: () => indexedDB.databases(),
    cmp: (a: unknown, b: unknown) => indexedDB.cmp(a, b),
  };
  return { factory, refuse: (name: string | null) => void (refuse = name) };
}

async function textOf(ws: LocalWorkspace, spaceId: string, pageId: string): Promise<string> {
  const h = await ws.openSpace(spaceId);
  return (await h.openPage(pageId)).doc.getText('t').toString();
}

describe('SpaceStores: spaces of the previous version move into the space store', () => {
  it('stops tabs of the previous version, then moves a space on its first open with every page and word, showing progress', async () => {
    const indexedDB = new IDBFactory();
    const { id, pageIds } = await previousVersionSpace(indexedDB, 5);
    // A tab of the previous version holds the Dexie database at schema 3.
    const log: string[] = [];
    const oldTab = new Dexie('quire', { indexedDB, IDBKeyRange });
    for (const m of [migration001, migration002, migration003]) oldTab.version(m.version).stores(m.stores);
    await oldTab.open();
    // The manifest the previous version wrote when it created the database.
    await oldTab.table('meta').bulkPut([
      { key: 'schemaVersion', value: 3 },
      { key: 'appVersionCreatedWith', value: '0.0.1' },
      { key: 'createdAt', value: 1 },
    ]);
    oldTab.on('versionchange', () => {
      log.push('old tab told to stop');
      oldTab.close();
      return false;
    });

    const app = loggingFactory(indexedDB, log);
    const ws = await LocalWorkspace.open({ indexedDB: app.factory, ...fast });
    const states: StorageUpgradeState[] = [];
    ws.stores.onChange((s) => states.push(s));
    expect(ws.stores.inOldFormat(id)).toBe(true);
    for (const [i, pageId] of pageIds.entries()) expect(await textOf(ws, id, pageId)).toBe(`every word of page ${i}`);
    await vi.waitFor(() => expect(ws.stores.state(id)?.phase).toBe('done')); // the old databases are removed after it opened

    // The old tab was stopped before the upgrade opened any of the old databases.
    const firstOldOpen = log.findIndex((l) => l.startsWith(`open ${spaceDbPrefix(id)}`));
    expect(log.indexOf('old tab told to stop')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('old tab told to stop')).toBeLessThan(firstOldOpen);
    // (The first states may come before we subscribed: the background upgrade starts as the workspace opens.) The
    // six documents move in one batch; the space opens at the first 'cleaning' (moved and verified), while its
    // old databases are removed one by one.
    expect(states.filter((s) => s.phase === 'moving').at(-1)).toMatchObject({ done: 6, total: 6 });
    expect(states.filter((s) => s.phase === 'cleaning').map((s) => ('done' in s ? s.done : -1))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(states.at(-1)?.phase).toBe('done');
    expect(ws.stores.inOldFormat(id)).toBe(false);
    const names = (await indexedDB.databases()).map((d) => d.name).sort();
    expect(names).toEqual(['quire', spaceDbName(id)].sort());
    await ws.close();

    // The next start finds nothing to move and opens from the space store.
    const again = await LocalWorkspace.open({ indexedDB, ...fast });
    expect(again.stores.pending()).toEqual([]);
    expect(await textOf(again, id, pageIds[4]!)).toBe('every word of page 4');
    await again.close();
  });

  it('a space whose old databases cannot be read keeps working from them and is reported; the next start moves it with what was written meanwhile', async () => {
    const indexedDB = new IDBFactory();
    const { id, pageIds } = await previousVersionSpace(indexedDB, 3);
    const app = loggingFactory(indexedDB, []);
    app.refuse(pageDbName(id, pageIds[1]!));
    const ws = await LocalWorkspace.open({ indexedDB: app.factory, ...fast });
    const h = await ws.openSpace(id);
    expect(ws.stores.state(id)).toMatchObject({ phase: 'failed', error: { reason: 'source-unreadable', docId: pageIds[1] } });
    expect(ws.stores.inOldFormat(id)).toBe(true);
    // Still usable from the old databases: the readable pages open and take new words.
    const page = await h.openPage(pageIds[0]!);
    page.doc.getText('t').insert(0, 'written after the failed upgrade; ');
    h.space.createPage({ title: 'Created meanwhile' });
    await h.flush();
    await ws.close();
    expect((await indexedDB.databases()).map((d) => d.name)).toContain(pageDbName(id, pageIds[2]!));

    app.refuse(null);
    const healed = await LocalWorkspace.open({ indexedDB: app.factory, ...fast });
    expect(await textOf(healed, id, pageIds[0]!)).toBe('written after the failed upgrade; every word of page 0');
    await vi.waitFor(() => expect(healed.stores.state(id)).toMatchObject({ phase: 'done' }));
    const hh = await healed.openSpace(id);
    expect(hh.space.listPages().map((p) => p.title).sort()).toEqual(['Created meanwhile', 'Page 0', 'Page 1', 'Page 2']);
    expect(await textOf(healed, id, pageIds[1]!)).toBe('every word of page 1');
    expect((await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith(spaceDbPrefix(id)))).toEqual([]);
    await healed.close();
  });

  it('two tabs of this version: one moves the space, the other waits for it and then opens the moved space', async () => {
    const indexedDB = new IDBFactory();
    const { id, pageIds } = await previousVersionSpace(indexedDB, 4);
    const locks = new InProcessTabLocks();
    const a = await LocalWorkspace.open({ indexedDB, locks, ...fast });
    const b = await LocalWorkspace.open({ indexedDB, locks, ...fast });
    const [ha, hb] = await Promise.all([a.openSpace(id), b.openSpace(id)]);
    expect(ha.space.listPages()).toHaveLength(4);
    expect(hb.space.listPages()).toHaveLength(4);
    for (const ws of [a, b]) expect(ws.stores.inOldFormat(id)).toBe(false);
    // Exactly one of them moved it (the other found nothing left to move once it had the lock).
    const outcomes = [a, b].map((ws) => {
      const state = ws.stores.state(id);
      return state?.phase === 'done' ? (state.outcome?.moved ?? 0) : -1;
    });
    expect(outcomes.sort()).toEqual([0, 5]);
    expect(await textOf(b, id, pageIds[3]!)).toBe('every word of page 3');
    await Promise.all([a.close(), b.close()]);
  });

  it('deleting a space moved from the previous version leaves no database of either format, so nothing brings it back', async () => {
    const indexedDB = new IDBFactory();
    const { id } = await previousVersionSpace(indexedDB, 2);
    const ws = await LocalWorkspace.open({ indexedDB, ...fast });
    await ws.reconcile(await ws.openSpace(id)); // registered, as the previous version had it
    // A tab of the previous version wrote one more page after the move: a stray old database.
    const late = new IndexedDbLayer(id, { indexedDB });
    await late.save('late-page', new Uint8Array([0, 0]));
    await late.close();
    await ws.deleteSpace(id);
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toEqual(['quire']);
    await ws.close();
    const again = await LocalWorkspace.open({ indexedDB, ...fast });
    expect(again.stores.pending()).toEqual([]);
    await again.close();
  });
});
