/**
 * Space over 10,000 pages: loading, renaming, moving and reading one parent do work in proportion to what
 * they touch, never a pass over the whole space. Asserted as counts of work (entries read from the Yjs
 * document, elements sorted), not times: timing belongs in bench/ (workloads/app.ts renames and moves in a
 * big space). A pass over the whole space per operation would read about 110,000 entries and sort 10,000.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Space } from './Space.ts';
import { PAGES_MAP, PageField } from './schema.ts';
import { newDoc } from '../testing/spaceFixtures.ts';

const PAGES = 10_000;
/** Top-level pages; every other page is a child of one of them (99 children each). */
const TOP = 100;
/** Entries a command may read from the document per page it changes (a page record has a handful of fields). */
const READS_PER_PAGE = 20;

function bigSpace(): { doc: Y.Doc; ids: string[] } {
  const doc = newDoc();
  const pages = doc.getMap<unknown>(PAGES_MAP);
  const ids: string[] = [];
  doc.transact(() => {
    for (let i = 0; i < PAGES; i++) {
      const id = `p${i}`;
      ids.push(id);
      const parent = i < TOP ? null : `p${i % TOP}`;
      pages.set(id, new Y.Map<unknown>([[PageField.title, id], [PageField.parent, parent], [PageField.order, `a${String(i % 10)}`], [PageField.lamport, 1], [PageField.client, 1]]));
    }
  });
  return { doc, ids };
}

/**
 * Runs `task` and counts its work: reads of Yjs map entries (Y.Map#get, how Space reads the document) and
 * elements of the arrays it sorts. Both spies call the real methods: only the counting is added.
 */
function countWork<T>(task: () => T): { result: T; reads: number; sorted: number } {
  let reads = 0;
  let sorted = 0;
  const get = Y.Map.prototype.get;
  const sort = Array.prototype.sort;
  vi.spyOn(Y.Map.prototype, 'get').mockImplementation(function (this: Y.Map<unknown>, key: string) {
    reads++;
    return get.call(this, key) as unknown;
  });
  vi.spyOn(Array.prototype, 'sort').mockImplementation(function (this: unknown[], compare?: (a: unknown, b: unknown) => number) {
    sorted += this.length;
    return sort.call(this, compare) as unknown[];
  });
  try {
    return { result: task(), reads, sorted };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Space with 10,000 pages', () => {
  it('loads, and then renames, moves and reads one parent doing work only where it touches', () => {
    const { doc, ids } = bigSpace();
    // Loading reads each page once (a bounded number of fields) and sorts nothing: parents sort when read.
    const load = countWork(() => new Space(doc, { id: 'big' }));
    const space = load.result;
    expect(load.reads).toBeLessThanOrEqual(READS_PER_PAGE * PAGES);
    expect(load.sorted).toBe(0);

    // Reading the top level sorts the top level's pages only.
    const top = countWork(() => space.children(null));
    expect(top.result).toHaveLength(TOP);
    expect(top.sorted).toBe(TOP);
    expect(top.reads).toBe(0);

    // A rename reads the page it changes, not its siblings or the space.
    const RENAMES = 1000;
    const renames = countWork(() => {
      for (let i = 0; i < RENAMES; i++) space.renamePage(ids[i]!, `renamed ${i}`);
    });
    expect(renames.reads).toBeLessThanOrEqual(READS_PER_PAGE * RENAMES);
    expect(renames.sorted / RENAMES).toBeLessThan(10);

    // A move reads the page it moves and sorts at most the children of the parents involved (99 each).
    const MOVES = 200;
    const moves = countWork(() => {
      for (let i = 0; i < MOVES; i++) space.movePage(ids[2 * TOP + i]!, ids[i % TOP]!, 0);
    });
    expect(moves.reads).toBeLessThanOrEqual(READS_PER_PAGE * MOVES);
    expect(moves.sorted / MOVES).toBeLessThanOrEqual(PAGES / TOP);

    // Reading children again and again reads nothing from the document, and sorts each page at most once.
    const reads = countWork(() => {
      for (let i = 0; i < 1000; i++) space.children(ids[i % TOP]!);
    });
    expect(reads.reads).toBe(0);
    expect(reads.sorted).toBeLessThanOrEqual(PAGES);
    expect(space.checkInvariants()).toEqual([]);
  });
});
