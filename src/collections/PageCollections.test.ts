import type { DBCore, DBCoreCursor, DBCoreTable, Middleware } from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Space } from '../core/space/Space.ts';
import { followSpace, openQuireDatabase, ProjectionWriter, type PageRow, type QuireDatabase } from '../storage/db/index.ts';
import { PageCollections } from './PageCollections.ts';

let count = 0;
const dbs: QuireDatabase[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

/** Counts the rows Dexie hands up from IndexedDB for one table: query results, cursor steps, gets. */
function rowsReadCounter(tableName: string): { middleware: Middleware<DBCore>; reads: { rows: number } } {
  const reads = { rows: 0 };
  const middleware: Middleware<DBCore> = {
    stack: 'dbcore',
    name: 'count-rows-read',
    create: (down) => ({
      ...down,
      table: (name: string): DBCoreTable => {
        const table = down.table(name);
        if (name !== tableName) return table;
        return {
          ...table,
          get: async (req) => {
            const row: unknown = await table.get(req);
            if (row !== undefined) reads.rows++;
            return row;
          },
          getMany: async (req) => {
            const rows: unknown[] = await table.getMany(req);
            reads.rows += rows.filter((r) => r !== undefined).length;
            return rows;
          },
          query: async (req) => {
            const res = await table.query(req);
            reads.rows += res.result.length;
            return res;
          },
          openCursor: async (req) => {
            const cursor = await table.openCursor(req);
            if (!cursor) return cursor;
            const start = cursor.start.bind(cursor);
            (cursor as { start: DBCoreCursor['start'] }).start = (onNext) =>
              start(() => {
                reads.rows++;
                onNext();
              });
            return cursor;
          },
        };
      },
    }),
  };
  return { middleware, reads };
}

function page(spaceId: string, id: string, parentId: string, order: string, extra: Partial<PageRow> = {}): PageRow {
  return { spaceId, id, parentId, order, title: id, icon: null, createdAt: 1, updatedAt: 1, trashed: false, inTrash: false, trashedAt: null, links: [], ...extra };
}

/** A space 's' whose every change is projected into a fresh database, and the collections over it. */
async function followedSpace() {
  const db = await openQuireDatabase({ name: `pages-${++count}` });
  dbs.push(db);
  const writer = new ProjectionWriter(db);
  let t = 0;
  const space = Space.create(new Y.Doc(), { id: 's', name: 'S', now: () => ++t });
  await writer.registerSpace(space.meta(), 'user');
  const follower = followSpace(writer, 's', space, (e) => {
    throw e;
  });
  return { db, writer, space, follower, collections: new PageCollections(db) };
}

describe('PageCollections', () => {
  it('loads the children of one parent of a 10k-page space without reading the other pages', async () => {
    const { middleware, reads } = rowsReadCounter('pages');
    const db = await openQuireDatabase({ name: `pages-${++count}`, configure: (d) => d.use(middleware) });
    dbs.push(db);
    // 100 folders at the top level, 99 pages in each: 10,000 pages. Plus another space's pages under the
    // same parent id, which must not leak in.
    const FOLDERS = 100;
    const PER_FOLDER = 99;
    const rows: PageRow[] = [];
    for (let f = 0; f < FOLDERS; f++) {
      rows.push(page('big', `f${f}`, '', `a${String(f).padStart(3, '0')}`));
      for (let c = 0; c < PER_FOLDER; c++) rows.push(page('big', `f${f}-c${c}`, `f${f}`, `b${String(PER_FOLDER - c).padStart(3, '0')}`));
    }
    rows.push(page('other', 'x', 'f42', 'a0'));
    await db.pages.bulkPut(rows);
    expect(await db.pages.where('[spaceId+id]').between(['big', ''], ['big', '\uffff']).count()).toBe(10_000);

    const collections = new PageCollections(db);
    reads.rows = 0;
    const children = collections.children('big', 'f42');
    await children.preload();
    expect(children.size).toBe(PER_FOLDER);
    // Sorted by order (the index order), ties by id.
    expect(children.toArray.map((p) => p.id).slice(0, 3)).toEqual(['f42-c98', 'f42-c97', 'f42-c96']);
    expect(reads.rows).toBeLessThanOrEqual(PER_FOLDER);
    const childReads = reads.rows;

    // Top level: the 100 folders only.
    reads.rows = 0;
    const top = collections.children('big', null);
    await top.preload();
    expect(top.size).toBe(FOLDERS);
    expect(reads.rows).toBeLessThanOrEqual(FOLDERS);

    // The counter does see a full read (so the bounds above are real).
    reads.rows = 0;
    await db.pages.toArray();
    expect(reads.rows).toBe(10_001);

    // A write under another parent does not make this folder read again.
    reads.rows = 0;
    await db.pages.put(page('big', 'f7-new', 'f7', 'z'));
    await new Promise((r) => setTimeout(r, 50));
    expect(reads.rows).toBe(0);
    expect(childReads).toBeGreaterThan(0);
  });

  it('follows the projection as the core writes it: create, move in and out, trash, restore', async () => {
    const { space, follower, collections } = await followedSpace();
    const a = space.createPage({ title: 'A' });
    const b = space.createPage({ title: 'B' });
    const a1 = space.createPage({ title: 'A1', parentId: a });
    await follower.idle();

    const top = collections.children('s', null);
    const underA = collections.children('s', a);
    const underB = collections.children('s', b);
    const trash = collections.trash('s');
    await Promise.all([top.preload(), underA.preload(), underB.preload(), trash.preload()]);
    expect(top.toArray.map((p) => p.title)).toEqual(['A', 'B']);
    expect(underA.toArray.map((p) => p.title)).toEqual(['A1']);
    expect(collections.children('s', a)).toBe(underA); // cached

    space.movePage(a1, b, 0);
    await follower.idle();
    await vi.waitFor(() => expect(underB.toArray.map((p) => p.title)).toEqual(['A1']));
    await vi.waitFor(() => expect(underA.size).toBe(0));

    space.createPage({ title: 'B0', parentId: b, index: 0 });
    await follower.idle();
    await vi.waitFor(() => expect(underB.toArray.map((p) => p.title)).toEqual(['B0', 'A1']));

    space.trashPage(b);
    await follower.idle();
    await vi.waitFor(() => expect(top.toArray.map((p) => p.title)).toEqual(['A']));
    await vi.waitFor(() => expect(underB.size).toBe(0)); // children of a trashed page are in the trash too
    await vi.waitFor(() => expect(trash.toArray.map((p) => p.title)).toEqual(['B']));
    const withTrashed = collections.children('s', b, { includeTrashed: true });
    await withTrashed.preload();
    expect(withTrashed.size).toBe(2);

    space.restorePage(b);
    await follower.idle();
    await vi.waitFor(() => expect(top.toArray.map((p) => p.title)).toEqual(['A', 'B']));
    await vi.waitFor(() => expect(trash.size).toBe(0));
    follower.stop();
  });

  it('backlinks: the live pages of the space linking to a page, following the projection', async () => {
    const { db, space, follower, collections } = await followedSpace();
    const target = space.createPage({ title: 'Target', id: 'target' });
    const b = space.createPage({ title: 'b page' });
    const a = space.createPage({ title: 'A page' });
    space.setPageLinks(a, [target]);
    await follower.idle();
    // Another space with a page of the same id that links to it: not a backlink here.
    await db.pages.put({ ...page('other', 'x', '', 'a0'), links: ['target'] });

    const backlinks = collections.backlinks('s', target);
    await backlinks.preload();
    expect(backlinks.toArray.map((p) => p.title)).toEqual(['A page']);
    space.setPageLinks(b, [target]);
    await follower.idle();
    await vi.waitFor(() => expect(backlinks.toArray.map((p) => p.title)).toEqual(['A page', 'b page']));
    space.trashPage(a);
    await follower.idle();
    await vi.waitFor(() => expect(backlinks.toArray.map((p) => p.title)).toEqual(['b page']));
    space.setPageLinks(b, []);
    await follower.idle();
    await vi.waitFor(() => expect(backlinks.size).toBe(0));
    follower.stop();
  });

  it('lists live spaces and the recent list', async () => {
    const db = await openQuireDatabase({ name: `pages-${++count}` });
    dbs.push(db);
    let t = 0;
    const writer = new ProjectionWriter(db, { now: () => ++t });
    for (const id of ['b', 'a', 'c']) await writer.registerSpace({ id, name: id.toUpperCase(), icon: null, createdAt: 1 }, 'user');
    await writer.markSpaceOpened('a');
    await writer.markSpaceOpened('c');
    const collections = new PageCollections(db);
    const spaces = collections.spaces();
    const recent = collections.recentSpaces();
    await Promise.all([spaces.preload(), recent.preload()]);
    expect(spaces.toArray.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(recent.toArray.map((s) => s.id)).toEqual(['c', 'a']);
    await writer.markSpaceOpened('a');
    await vi.waitFor(() => expect(recent.toArray.map((s) => s.id)).toEqual(['a', 'c']));
    await writer.deleteSpace('a', 'user');
    await vi.waitFor(() => expect(recent.toArray.map((s) => s.id)).toEqual(['c']));
    await vi.waitFor(() => expect(spaces.toArray.map((s) => s.id)).toEqual(['b', 'c']));
  });
});
