/** Space's page commands: create, rename, icons, touch, links, move (and what each reports). */
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { ErrorCode } from '../errors.ts';
import { PAGES_MAP, PageField } from './schema.ts';
import { newSpace, replicaOf, sync, titles, expectSpaceError, record } from '../testing/spaceFixtures.ts';

describe('creating pages', () => {
  it('creates at the end by default, at an index when given, with defaults filled in', () => {
    const space = newSpace();
    const a = space.createPage({ title: 'A' });
    space.createPage({ title: 'C' });
    space.createPage({ title: 'B', index: 1 });
    space.createPage({ title: 'first', index: 0 });
    space.createPage({ title: 'last', index: 99 });
    expect(titles(space, null)).toEqual(['first', 'A', 'B', 'C', 'last']);
    expect(space.getPage(a)).toMatchObject({ id: a, parentId: null, title: 'A', icon: null, trashed: false, inTrash: false, trashedAt: null });
    expect(space.checkInvariants()).toEqual([]);
  });

  it('creates under a parent and uses a given id', () => {
    const space = newSpace();
    const parent = space.createPage({ title: 'P' });
    const child = space.createPage({ parentId: parent, title: 'child', icon: '📄', id: 'my-id' });
    expect(child).toBe('my-id');
    expect(space.children(parent).map((p) => p.id)).toEqual(['my-id']);
    expect(space.getPage('my-id')?.icon).toBe('📄');
    expect(space.ancestors('my-id').map((p) => p.id)).toEqual([parent]);
  });

  it('random ids are distinct UUIDs', () => {
    const space = newSpace();
    const ids = new Set(Array.from({ length: 50 }, () => space.createPage()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a duplicate id, an unknown or trashed parent and a bad index with typed errors', () => {
    const space = newSpace();
    const p = space.createPage({ id: 'p' });
    expectSpaceError(() => space.createPage({ id: 'p' }), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.createPage({ id: '' }), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.createPage({ parentId: 'nope' }), ErrorCode.NotFound);
    expectSpaceError(() => space.createPage({ index: -1 }), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.createPage({ index: 1.5 }), ErrorCode.InvalidOperation);
    space.trashPage(p);
    expectSpaceError(() => space.createPage({ parentId: p }), ErrorCode.InvalidOperation);
    expect(space.listPages().map((r) => r.id)).toEqual(['p']);
  });

  it('reports page-created with origin local', () => {
    const space = newSpace();
    const log = record(space);
    const id = space.createPage({ title: 'A' });
    expect(log.changes).toEqual([{ type: 'page-created', page: space.getPage(id) }]);
    expect(log.origins).toEqual(['local']);
  });
});

describe('renaming, icons and touch', () => {
  it('renamePage sets the title and updatedAt and reports page-renamed', () => {
    const space = newSpace();
    const id = space.createPage({ title: 'old' });
    const before = space.getPage(id)!;
    const log = record(space);
    space.renamePage(id, 'new');
    const after = space.getPage(id)!;
    expect(after.title).toBe('new');
    expect(after.updatedAt).toBeGreaterThan(before.updatedAt);
    expect(log.changes).toEqual([{ type: 'page-renamed', page: after, previousTitle: 'old' }]);
  });

  it('setPageIcon and touchPage report page-updated; no-op writes report nothing', () => {
    const space = newSpace();
    const id = space.createPage({ title: 'x' });
    const log = record(space);
    space.setPageIcon(id, '🔥');
    space.touchPage(id);
    space.renamePage(id, 'x');
    space.setPageIcon(id, '🔥');
    expect(log.changes.map((c) => c.type)).toEqual(['page-updated', 'page-updated']);
    expect(space.getPage(id)?.icon).toBe('🔥');
  });

  it('setPageLinks records sorted, unique targets without the page itself; an unchanged list writes nothing', () => {
    const space = newSpace();
    const a = space.createPage({ title: 'a' });
    const b = space.createPage({ title: 'b' });
    const c = space.createPage({ title: 'c' });
    const updatedAt = space.getPage(a)!.updatedAt;
    const log = record(space);
    let writes = 0;
    space.doc.on('update', () => writes++);
    space.setPageLinks(a, [c, b, c, a]);
    expect(space.getPage(a)?.links).toEqual([b, c].sort());
    expect(space.getPage(a)?.updatedAt).toBe(updatedAt); // derived from content: touchPage says when it changed
    expect(log.changes.map((ch) => ch.type)).toEqual(['page-updated']);
    expect(writes).toBe(1);
    space.setPageLinks(a, [b, c]);
    space.setPageLinks(a, [c, b, b]);
    expect(writes).toBe(1);
    expect(log.changes).toHaveLength(1);
    space.setPageLinks(a, []);
    expect(space.getPage(a)?.links).toEqual([]);
    expect(writes).toBe(2);
    expectSpaceError(() => space.setPageLinks('nope', [a]), ErrorCode.NotFound);
    expectSpaceError(() => space.setPageLinks(a, [''] as string[]), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.setPageLinks(a, [1] as unknown as string[]), ErrorCode.InvalidOperation);
    expect(space.checkInvariants()).toEqual([]);
  });

  it('links reach other replicas, and malformed stored links read as the valid ids only', () => {
    const space = newSpace();
    const a = space.createPage({ title: 'a' });
    const b = space.createPage({ title: 'b' });
    const other = replicaOf(space);
    const log = record(other);
    space.setPageLinks(a, [b]);
    sync(space, other);
    expect(other.getPage(a)?.links).toEqual([b]);
    expect(log.changes).toEqual([{ type: 'page-updated', page: other.getPage(a) }]);
    expect(log.origins).toEqual(['remote']);
    // Another replica (or a bug) wrote something that is not a list of ids.
    const map = space.doc.getMap<Y.Map<unknown>>(PAGES_MAP).get(a)!;
    space.doc.transact(() => map.set(PageField.links, [b, 7, null, b, '']), 'sync');
    expect(space.getPage(a)?.links).toEqual([b]);
    space.doc.transact(() => map.set(PageField.links, 'not a list'), 'sync');
    expect(space.getPage(a)?.links).toEqual([]);
    expect(space.checkInvariants()).toEqual([]);
  });

  it('throws not-found for unknown pages', () => {
    const space = newSpace();
    expectSpaceError(() => space.renamePage('nope', 'x'), ErrorCode.NotFound);
    expectSpaceError(() => space.setPageIcon('nope', null), ErrorCode.NotFound);
    expectSpaceError(() => space.touchPage('nope'), ErrorCode.NotFound);
    expectSpaceError(() => space.movePage('nope', null, 0), ErrorCode.NotFound);
    expectSpaceError(() => space.trashPage('nope'), ErrorCode.NotFound);
    expectSpaceError(() => space.restorePage('nope'), ErrorCode.NotFound);
    expectSpaceError(() => space.deletePageForever('nope'), ErrorCode.NotFound);
  });

  it('concurrent rename and move of the same page both survive', () => {
    const a = newSpace();
    const p = a.createPage({ title: 'P' });
    const x = a.createPage({ title: 'X' });
    const b = replicaOf(a);
    a.renamePage(x, 'renamed');
    b.movePage(x, p, 0);
    sync(a, b);
    for (const s of [a, b]) expect(s.getPage(x)).toMatchObject({ title: 'renamed', parentId: p });
  });
});

describe('moving pages', () => {
  it('reorders within a parent, with index counted after taking the page out', () => {
    const space = newSpace();
    const [a, , c] = ['A', 'B', 'C', 'D'].map((title) => space.createPage({ title }));
    space.movePage(a!, null, 2);
    expect(titles(space, null)).toEqual(['B', 'C', 'A', 'D']);
    space.movePage(c!, null, 0);
    expect(titles(space, null)).toEqual(['C', 'B', 'A', 'D']);
    space.movePage(c!, null, 10);
    expect(titles(space, null)).toEqual(['B', 'A', 'D', 'C']);
    expect(space.checkInvariants()).toEqual([]);
  });

  it('moves a subtree under another parent and reports page-moved', () => {
    const space = newSpace();
    const p = space.createPage({ title: 'P' });
    const q = space.createPage({ title: 'Q' });
    const child = space.createPage({ title: 'child', parentId: p });
    const grandchild = space.createPage({ title: 'gc', parentId: child });
    const before = space.getPage(child)!;
    const log = record(space);
    space.movePage(child, q, 0);
    expect(space.children(p)).toEqual([]);
    expect(titles(space, q)).toEqual(['child']);
    expect(space.ancestors(grandchild).map((r) => r.title)).toEqual(['Q', 'child']);
    expect(log.changes).toEqual([{ type: 'page-moved', page: space.getPage(child), previousParentId: p, previousOrder: before.order }]);
  });

  it('a move to where the page already is writes nothing', () => {
    const space = newSpace();
    space.createPage({ title: 'A' });
    const b = space.createPage({ title: 'B' });
    let updates = 0;
    space.doc.on('update', () => updates++);
    space.movePage(b, null, 1);
    expect(updates).toBe(0);
  });

  it('refuses moves into the page itself or its subtree, and with unknown ids, with typed errors', () => {
    const space = newSpace();
    const a = space.createPage({ title: 'A' });
    const child = space.createPage({ parentId: a });
    const grandchild = space.createPage({ parentId: child });
    expectSpaceError(() => space.movePage(a, a, 0), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.movePage(a, child, 0), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.movePage(a, grandchild, 0), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.movePage(a, 'nope', 0), ErrorCode.NotFound);
    expectSpaceError(() => space.movePage(a, null, -1), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.movePage(a, null, Number.NaN), ErrorCode.InvalidOperation);
    expect(space.getPage(a)?.parentId).toBeNull();
    expect(space.checkInvariants()).toEqual([]);
  });

  it('refuses moving a page in the trash, or into a page in the trash', () => {
    const space = newSpace();
    const a = space.createPage({ title: 'A' });
    const t = space.createPage({ title: 'T' });
    const tChild = space.createPage({ title: 'Tc', parentId: t });
    space.trashPage(t);
    expectSpaceError(() => space.movePage(a, t, 0), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.movePage(a, tChild, 0), ErrorCode.InvalidOperation);
    expectSpaceError(() => space.movePage(tChild, null, 0), ErrorCode.InvalidOperation);
  });
});
