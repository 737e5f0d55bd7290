/** The Space wrapper: its metadata, its queries, untrusted document contents and its lifecycle. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode } from '../errors.ts';
import { LOCAL_ORIGIN, Space } from './Space.ts';
import { PAGES_MAP, PageField } from './schema.ts';
import { newDoc, newSpace, replicaOf, sync, expectSpaceError, record } from '../testing/spaceFixtures.ts';

describe('Space metadata', () => {
  it('create writes name, icon and createdAt; a wrapper over the same doc reads them', () => {
    const space = Space.create(newDoc(), { id: 's1', name: 'Notes', icon: '📒', now: () => 42 });
    expect(space.meta()).toEqual({ id: 's1', name: 'Notes', icon: '📒', createdAt: 42 });
    expect(new Space(space.doc, { id: 's1' }).meta()).toEqual(space.meta());
  });

  it('create refuses a document that already holds a space', () => {
    const space = newSpace();
    expectSpaceError(() => Space.create(space.doc, { id: 's1', name: 'again' }), ErrorCode.InvalidOperation);
  });

  it('an empty document reads as an unnamed space with no pages', () => {
    const space = new Space(newDoc(), { id: 'empty' });
    expect(space.meta()).toEqual({ id: 'empty', name: '', icon: null, createdAt: 0 });
    expect(space.listPages()).toEqual([]);
    expect(space.checkInvariants()).toEqual([]);
  });

  it('rename and setIcon report space-updated, locally and remotely', () => {
    const a = newSpace();
    const b = replicaOf(a);
    const la = record(a);
    const lb = record(b);
    a.rename('Renamed');
    a.setIcon('⭐');
    sync(a, b);
    expect(b.meta().name).toBe('Renamed');
    expect(b.meta().icon).toBe('⭐');
    expect(la.changes.map((c) => c.type)).toEqual(['space-updated', 'space-updated']);
    expect(la.origins).toEqual(['local', 'local']);
    expect(lb.changes).toEqual([{ type: 'space-updated', meta: b.meta() }]);
    expect(lb.origins).toEqual(['remote']);
  });
});

describe('queries', () => {
  it('listPages is depth-first tree order with trashed pages in place; ancestors go top-down', () => {
    const space = newSpace();
    const a = space.createPage({ title: 'A' });
    const b = space.createPage({ title: 'B' });
    const a1 = space.createPage({ title: 'A1', parentId: a });
    const a2 = space.createPage({ title: 'A2', parentId: a });
    const a11 = space.createPage({ title: 'A11', parentId: a1 });
    space.trashPage(a2);
    expect(space.listPages().map((r) => r.title)).toEqual(['A', 'A1', 'A11', 'A2', 'B']);
    expect(space.ancestors(a11).map((r) => r.id)).toEqual([a, a1]);
    expect(space.ancestors(a)).toEqual([]);
    expect(space.ancestors('nope')).toEqual([]);
    expect(space.children('nope')).toEqual([]);
    expect(space.getPage('nope')).toBeUndefined();
    expect(space.children(b)).toEqual([]);
  });

  it('trash() lists own-trashed pages, most recent first', () => {
    const space = newSpace();
    const a = space.createPage();
    const b = space.createPage({ parentId: a });
    const c = space.createPage();
    space.trashPage(b);
    space.trashPage(c);
    space.trashPage(a);
    expect(space.trash().map((r) => r.id)).toEqual([a, c, b]);
  });

  it('records are frozen snapshots', () => {
    const space = newSpace();
    const id = space.createPage({ title: 'x' });
    const rec = space.getPage(id)!;
    expect(Object.isFrozen(rec)).toBe(true);
    space.renamePage(id, 'y');
    expect(rec.title).toBe('x');
  });
});

describe('untrusted document contents', () => {
  it('ignores entries that are not pages, and reads malformed fields as neutral values', () => {
    const space = newSpace();
    const good = space.createPage({ title: 'good' });
    const pages = space.doc.getMap<unknown>(PAGES_MAP);
    space.doc.transact(() => {
      pages.set('junk', 'not a map');
      const bad = new Y.Map<unknown>([
        [PageField.title, 42],
        [PageField.parent, 17],
        [PageField.order, null],
        [PageField.trashed, 'yes'],
      ]);
      pages.set('bad', bad);
      const self = new Y.Map<unknown>([
        [PageField.parent, 'self'],
        [PageField.order, 'a0'],
      ]);
      pages.set('self', self);
    });
    expect(space.getPage('junk')).toBeUndefined();
    expect(space.getPage('bad')).toMatchObject({ title: '', parentId: null, order: '', trashed: false });
    expect(space.getPage('self')?.parentId).toBeNull();
    expect(space.children(null).map((r) => r.id)).toEqual(['bad', 'self', good].sort((x, y) => {
      const ox = space.getPage(x)!.order;
      const oy = space.getPage(y)!.order;
      return ox < oy ? -1 : ox > oy ? 1 : x < y ? -1 : 1;
    }));
    // Inserting next to a malformed key still works.
    space.createPage({ id: 'n', index: 0 });
    space.createPage({ id: 'm', index: 1 });
    expect(space.children(null).map((r) => r.id).slice(0, 2)).toEqual(['n', 'm']);
    expect(space.checkInvariants()).toEqual([]);
  });

  it('operations from other origins are reported as remote', () => {
    const space = newSpace();
    const id = space.createPage({ title: 'x' });
    const log = record(space);
    space.doc.transact(() => space.renamePage(id, 'y'), 'someone-else');
    space.doc.transact(() => space.renamePage(id, 'z'), LOCAL_ORIGIN);
    expect(log.origins).toEqual(['remote', 'local']);
  });
});

describe('lifecycle', () => {
  it('a Space over a loaded document computes the same tree; updates applied later are followed', () => {
    const a = newSpace();
    const p = a.createPage({ title: 'P' });
    a.createPage({ title: 'c', parentId: p });
    const doc = newDoc();
    const late = new Space(doc, { id: 's1' });
    const log = record(late);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(a.doc));
    expect(late.listPages()).toEqual(a.listPages());
    expect(log.changes.map((c) => c.type).sort()).toEqual(['page-created', 'page-created', 'space-updated']);
    expect(log.origins).toEqual(['remote']);
  });

  it('after destroy (or the doc being destroyed) commands throw closed and listeners stop', () => {
    const space = newSpace();
    const id = space.createPage();
    const log = record(space);
    space.doc.destroy();
    expectSpaceError(() => space.renamePage(id, 'x'), ErrorCode.Closed);
    expectSpaceError(() => space.createPage(), ErrorCode.Closed);
    expect(log.changes).toEqual([]);
  });

  it('a throwing listener does not stop the others', () => {
    const space = newSpace();
    const heard: number[] = [];
    space.observe(() => {
      throw new Error('boom');
    });
    space.observe((changes) => heard.push(changes.length));
    expect(() => space.createPage()).toThrow('boom');
    expect(heard).toEqual([1]);
    expect(space.listPages()).toHaveLength(1);
  });
});
