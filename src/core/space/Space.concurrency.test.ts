/** Space's concurrency rules: cycles from concurrent moves, orphans, trash races, equal order keys, delivery order. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Space } from './Space.ts';
import type { PageChange } from './Space.ts';
import { newDoc, clock, newSpace, replicaOf, sync, titles, record } from '../testing/spaceFixtures.ts';

describe('concurrency rules', () => {
  it('two concurrent moves forming a cycle converge to the same acyclic tree, breaking at the greatest stamp', () => {
    const a = newSpace(1);
    const pa = a.createPage({ title: 'A', id: 'A' });
    const pb = a.createPage({ title: 'B', id: 'B' });
    const b = replicaOf(a, 2);
    const la = record(a);
    a.movePage(pa, pb, 0); // replica 1: A under B
    b.movePage(pb, pa, 0); // replica 2: B under A
    sync(a, b);
    // Both moves carry Lamport 3 (creates were 1 and 2); client 2 > client 1, so B's move is the latest and B
    // is put at the top level, with A under it (A's move holds).
    for (const s of [a, b]) {
      expect(s.checkInvariants()).toEqual([]);
      expect(s.getPage(pb)?.parentId).toBeNull();
      expect(s.getPage(pa)?.parentId).toBe(pb);
    }
    expect(a.listPages()).toEqual(b.listPages());
    // Replica 1 hears its own move of A, then B's remote move: B stays at the top level but takes the order
    // key it was given under A.
    const moves = la.changes.filter((c): c is Extract<PageChange, { type: 'page-moved' }> => c.type === 'page-moved');
    expect(moves.map((c) => [c.page.id, c.previousParentId, c.page.parentId])).toEqual([
      [pa, null, pb],
      [pb, null, null],
    ]);
  });

  it('the page breaking a cycle is reported as moved when the rule moves it', () => {
    const a = newSpace(1);
    const x = a.createPage({ id: 'X' });
    const y = a.createPage({ id: 'Y' });
    const p = a.createPage({ id: 'P' });
    const b = replicaOf(a, 2);
    a.movePage(y, p, 0); // Y under P on replica 1
    a.movePage(x, y, 0); // X under Y
    b.movePage(y, x, 0); // replica 2: Y under X
    const la = record(a);
    sync(a, b);
    // Loop X -> Y -> X. Y's stamp on replica 2 is (5, 2); X's is (6, 1): X broke it and goes to the top.
    for (const s of [a, b]) {
      expect(s.getPage(x)?.parentId).toBeNull();
      expect(s.getPage(y)?.parentId).toBe(x);
      expect(s.checkInvariants()).toEqual([]);
    }
    const moved = la.changes.filter((c): c is Extract<PageChange, { type: 'page-moved' }> => c.type === 'page-moved');
    expect(moved.map((c) => [c.page.id, c.previousParentId, c.page.parentId])).toEqual(
      expect.arrayContaining([
        [x, y, null],
        [y, p, x],
      ]),
    );
  });

  it('a three-way cycle from three replicas converges acyclic and identical', () => {
    const a = newSpace(1);
    const ids = ['A', 'B', 'C'].map((id) => a.createPage({ id, title: id }));
    const b = replicaOf(a, 2);
    const c = replicaOf(a, 3);
    a.movePage('A', 'B', 0);
    b.movePage('B', 'C', 0);
    c.movePage('C', 'A', 0);
    sync(a, b, c);
    for (const s of [a, b, c]) expect(s.checkInvariants()).toEqual([]);
    expect(b.listPages()).toEqual(a.listPages());
    expect(c.listPages()).toEqual(a.listPages());
    // All three moves have Lamport 4; client 3 is greatest: C goes to the top, B under C, A under B.
    expect(a.listPages().map((r) => [r.id, r.parentId])).toEqual([
      ['C', null],
      ['B', 'C'],
      ['A', 'B'],
    ]);
    expect(ids).toHaveLength(3);
  });

  it('moving a page out of a broken cycle leaves the page shown at the top there (no jump)', () => {
    const a = newSpace(1);
    a.createPage({ id: 'A' });
    a.createPage({ id: 'B' });
    a.createPage({ id: 'Q' });
    const b = replicaOf(a, 2);
    a.movePage('A', 'B', 0);
    b.movePage('B', 'A', 0);
    sync(a, b);
    expect(a.getPage('B')?.parentId).toBeNull();
    // A is shown under B. Moving A elsewhere dissolves the raw loop; B must stay at the top level.
    a.movePage('A', 'Q', 0);
    sync(a, b);
    for (const s of [a, b]) {
      expect(s.getPage('B')?.parentId).toBeNull();
      expect(s.getPage('A')?.parentId).toBe('Q');
      expect(s.checkInvariants()).toEqual([]);
    }
  });

  it('a child created concurrently under a page deleted forever is reattached at the top level', () => {
    const a = newSpace(1);
    const p = a.createPage({ title: 'P' });
    const b = replicaOf(a, 2);
    a.deletePageForever(p);
    const child = b.createPage({ parentId: p, title: 'child' });
    const grandchild = b.createPage({ parentId: child, title: 'grandchild' });
    const la = record(a);
    sync(a, b);
    for (const s of [a, b]) {
      expect(s.getPage(p)).toBeUndefined();
      expect(s.getPage(child)).toMatchObject({ parentId: null, inTrash: false });
      expect(s.getPage(grandchild)?.parentId).toBe(child);
      expect(s.checkInvariants()).toEqual([]);
    }
    expect(a.listPages()).toEqual(b.listPages());
    expect(la.origins).toEqual(['remote']);
    expect(la.changes.map((c) => c.type).sort()).toEqual(['page-created', 'page-created']);
    // B learns that P is gone: its child moves to the top level.
  });

  it('a page moved concurrently into a subtree being trashed ends up in the trash', () => {
    const a = newSpace(1);
    const p = a.createPage({ title: 'P' });
    const x = a.createPage({ title: 'X' });
    const b = replicaOf(a, 2);
    a.trashPage(p);
    b.movePage(x, p, 0);
    sync(a, b);
    for (const s of [a, b]) {
      expect(s.getPage(x)).toMatchObject({ parentId: p, trashed: false, inTrash: true });
      expect(s.children(null)).toEqual([]);
      expect(s.checkInvariants()).toEqual([]);
    }
  });

  it('siblings with equal order keys are ordered by id, and inserting between them still works', () => {
    const a = newSpace(1);
    a.createPage({ id: 'first', title: 'first' });
    const b = replicaOf(a, 2);
    // Same position on both replicas: fractional-indexing gives both the same key.
    a.createPage({ id: 'zz', title: 'zz' });
    b.createPage({ id: 'mm', title: 'mm' });
    sync(a, b);
    expect(a.getPage('zz')?.order).toBe(a.getPage('mm')?.order);
    expect(titles(a, null)).toEqual(['first', 'mm', 'zz']);
    expect(titles(b, null)).toEqual(['first', 'mm', 'zz']);
    const firstOrder = a.getPage('first')!.order;
    a.createPage({ id: 'between', title: 'between', index: 2 });
    expect(titles(a, null)).toEqual(['first', 'mm', 'between', 'zz']);
    a.movePage('first', null, 2);
    expect(titles(a, null)).toEqual(['mm', 'between', 'first', 'zz']);
    sync(a, b);
    expect(titles(b, null)).toEqual(titles(a, null));
    expect(a.checkInvariants()).toEqual([]);
    expect(firstOrder).toBeTypeOf('string');
  });

  it('a run of many equal keys only rewrites that run', () => {
    const replicas = [newSpace(1)];
    replicas[0]!.createPage({ id: 'left' });
    replicas[0]!.createPage({ id: 'right' });
    for (let i = 0; i < 5; i++) replicas.push(replicaOf(replicas[0]!, 10 + i));
    replicas.forEach((s, i) => s.createPage({ id: `t${i}`, index: 1 }));
    sync(...replicas);
    const s = replicas[0]!;
    expect(s.children(null).map((r) => r.id)).toEqual(['left', 't0', 't1', 't2', 't3', 't4', 't5', 'right']);
    const leftOrder = s.getPage('left')!.order;
    const rightOrder = s.getPage('right')!.order;
    s.createPage({ id: 'new', index: 4 });
    expect(s.children(null).map((r) => r.id)).toEqual(['left', 't0', 't1', 't2', 'new', 't3', 't4', 't5', 'right']);
    expect(s.getPage('left')!.order).toBe(leftOrder);
    expect(s.getPage('right')!.order).toBe(rightOrder);
    expect(new Set(s.children(null).map((r) => r.order)).size).toBe(9);
    expect(s.checkInvariants()).toEqual([]);
  });

  it('two replicas that saw the same updates in different orders and with duplicates hold the same tree', () => {
    const updates: Uint8Array[] = [];
    const docA = newDoc(1);
    docA.on('update', (u: Uint8Array) => updates.push(u));
    const a = Space.create(docA, { id: 's1', name: 'Space', now: clock() });
    const p = a.createPage({ title: 'P' });
    const q = a.createPage({ title: 'Q', parentId: p });
    a.movePage(q, null, 0);
    a.renamePage(p, 'P2');
    a.trashPage(p);
    const reversed = newDoc();
    for (const u of [...updates].reverse()) Y.applyUpdate(reversed, u);
    for (const u of updates) Y.applyUpdate(reversed, u);
    const other = new Space(reversed, { id: 's1' });
    expect(other.listPages()).toEqual(a.listPages());
    expect(other.meta()).toEqual(a.meta());
  });
});
