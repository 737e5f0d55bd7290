/** Space's trash: trashing a subtree, restoring (under a live, trashed or deleted parent), deleting forever. */
import { describe, expect, it } from 'vitest';
import { newSpace, replicaOf, sync, titles, record } from '../testing/spaceFixtures.ts';

describe('trash, restore, delete forever', () => {
  it('trashing puts the subtree in the trash; children() and trash() reflect it', () => {
    const space = newSpace();
    const p = space.createPage({ title: 'P' });
    const c = space.createPage({ title: 'C', parentId: p });
    const log = record(space);
    space.trashPage(p);
    expect(space.children(null)).toEqual([]);
    expect(space.children(p)).toEqual([]);
    expect(space.getPage(p)).toMatchObject({ trashed: true, inTrash: true });
    expect(space.getPage(p)?.trashedAt).toBeTypeOf('number');
    expect(space.getPage(c)).toMatchObject({ trashed: false, inTrash: true, trashedAt: null });
    expect(space.trash().map((r) => r.id)).toEqual([p]);
    expect(log.changes).toEqual([
      { type: 'page-trashed', page: space.getPage(p) },
      { type: 'page-updated', page: space.getPage(c) },
    ]);
    expect(space.checkInvariants()).toEqual([]);
  });

  it('restore brings the page back under its live parent, at its place', () => {
    const space = newSpace();
    const p = space.createPage({ title: 'P' });
    space.createPage({ title: 'A', parentId: p });
    const b = space.createPage({ title: 'B', parentId: p });
    space.createPage({ title: 'C', parentId: p });
    space.trashPage(b);
    expect(titles(space, p)).toEqual(['A', 'C']);
    const log = record(space);
    space.restorePage(b);
    expect(titles(space, p)).toEqual(['A', 'B', 'C']);
    expect(log.changes).toEqual([{ type: 'page-restored', page: space.getPage(b) }]);
    expect(space.getPage(b)).toMatchObject({ trashed: false, inTrash: false, trashedAt: null });
  });

  it('restore under a trashed parent goes to the end of the top level', () => {
    const space = newSpace();
    const p = space.createPage({ title: 'P' });
    const c = space.createPage({ title: 'C', parentId: p });
    space.createPage({ title: 'other' });
    space.trashPage(c);
    space.trashPage(p);
    space.restorePage(c);
    expect(space.getPage(c)).toMatchObject({ parentId: null, trashed: false, inTrash: false });
    expect(titles(space, null)).toEqual(['other', 'C']);
    // Restoring the parent later does not pull the child back.
    space.restorePage(p);
    expect(titles(space, null)).toEqual(['P', 'other', 'C']);
    expect(space.children(p)).toEqual([]);
    expect(space.checkInvariants()).toEqual([]);
  });

  it('restore under a parent deleted forever goes to the top level', () => {
    const a = newSpace();
    const p = a.createPage({ title: 'P' });
    const c = a.createPage({ title: 'C' });
    const b = replicaOf(a);
    a.movePage(c, p, 0);
    a.trashPage(c);
    b.deletePageForever(p); // concurrently: C was not under P on this replica
    sync(a, b);
    for (const s of [a, b]) {
      expect(s.getPage(p)).toBeUndefined();
      expect(s.getPage(c)).toMatchObject({ parentId: null, trashed: true, inTrash: true });
      expect(s.checkInvariants()).toEqual([]);
    }
    a.restorePage(c);
    sync(a, b);
    for (const s of [a, b]) expect(s.children(null).map((r) => r.id)).toEqual([c]);
  });

  it('trash and restore of a page already in that state do nothing', () => {
    const space = newSpace();
    const p = space.createPage();
    let updates = 0;
    space.doc.on('update', () => updates++);
    space.restorePage(p);
    space.trashPage(p);
    space.trashPage(p);
    expect(updates).toBe(1);
  });

  it('delete forever removes the page and its whole subtree, trashed parts included, and returns the ids', () => {
    const space = newSpace();
    const p = space.createPage({ title: 'P' });
    const c1 = space.createPage({ title: 'c1', parentId: p });
    const c2 = space.createPage({ title: 'c2', parentId: p });
    const g = space.createPage({ title: 'g', parentId: c1 });
    const keep = space.createPage({ title: 'keep' });
    space.trashPage(c2);
    space.trashPage(p);
    const log = record(space);
    const ids = space.deletePageForever(p);
    expect(ids).toEqual([p, c1, g, c2]);
    expect(space.listPages().map((r) => r.id)).toEqual([keep]);
    expect(space.trash()).toEqual([]);
    expect(log.changes.filter((c) => c.type === 'page-deleted').map((c) => (c as { pageId: string }).pageId).sort()).toEqual([...ids].sort());
    expect(space.checkInvariants()).toEqual([]);
  });
});
