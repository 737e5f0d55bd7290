/**
 * The tree rules: how the raw page records of a converged space document become its effective tree.
 *
 * The effective tree is a pure function of the records, so every replica that has seen the same updates
 * computes the same tree, whatever the order in which the updates arrived. The rules:
 *
 * 1. Parent (orphan rule). A page's raw parent counts only if it names ANOTHER page record present in the
 *    document. A null parent, or one naming a page that was deleted forever (possibly concurrently with a
 *    move or create under it), puts the page at the top level. The page keeps its order key there.
 *
 * 2. Cycles. Following raw parents can loop: replica 1 moves A under B while replica 2 moves B under A, and
 *    each move was valid where it was made. Every loop is broken at exactly one page: the page of the loop
 *    with the GREATEST move stamp, comparing the Lamport counter, then the client id, then the page id (so
 *    stamps are totally ordered). That page is placed at the top level, keeping its order key; every other
 *    page keeps its raw parent, including pages that hang off the loop. A page naming itself is a loop of one.
 *    The greatest stamp is the move made last as far as causality can tell, the one that closed the loop.
 *
 * 3. Order. Siblings sort by (order key, page id), comparing UTF-16 code units (not the locale), so two pages
 *    given the same key concurrently still have one order, the same everywhere.
 *
 * 4. Trash. A page is in the trash when its own flag is set or its effective parent is in the trash. Live
 *    pages are the others; the parent of a live page is therefore the top level or a live page.
 *
 * `TreeIndex` maintains this incrementally; `computeEffectiveTree` below is the plain reference it is
 * checked against (`Space.checkInvariants`).
 */
import type { RawPage } from './schema.ts';

/** Move stamp order: Lamport counter, then client id, then page id. Positive when `a` is later. */
export function compareStamps(a: RawPage, b: RawPage): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport;
  if (a.client !== b.client) return a.client - b.client;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Sibling order: order key, then page id, by code units. */
export function compareSiblings(a: RawPage, b: RawPage): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Rule 1: the raw parent when it names another existing page (a self-parent is left to rule 2). */
export function rawParentOf(pages: ReadonlyMap<string, RawPage>, id: string): string | null {
  const parent = pages.get(id)?.parent ?? null;
  return parent !== null && pages.has(parent) ? parent : null;
}

/** Rule 2: the page of a loop that is placed at the top level. */
export function pageBreakingCycle(pages: ReadonlyMap<string, RawPage>, cycle: readonly string[]): string {
  let best: RawPage | undefined;
  for (const id of cycle) {
    const page = pages.get(id);
    if (page && (!best || compareStamps(page, best) > 0)) best = page;
  }
  if (!best) throw new Error('pageBreakingCycle: empty cycle');
  return best.id;
}

export interface EffectiveTree {
  readonly parentOf: ReadonlyMap<string, string | null>;
  readonly inTrash: ReadonlySet<string>;
}

/** The reference implementation of the rules: O(n), no incrementality, easy to read. */
export function computeEffectiveTree(pages: ReadonlyMap<string, RawPage>): EffectiveTree {
  const parentOf = new Map<string, string | null>();
  const done = new Set<string>();
  for (const start of pages.keys()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let cur: string | null = start;
    while (cur !== null && !done.has(cur) && !onPath.has(cur)) {
      onPath.add(cur);
      path.push(cur);
      cur = rawParentOf(pages, cur);
    }
    for (const id of path) parentOf.set(id, rawParentOf(pages, id));
    if (cur !== null && onPath.has(cur)) parentOf.set(pageBreakingCycle(pages, path.slice(path.indexOf(cur))), null);
    for (const id of path) done.add(id);
  }
  const inTrash = new Set<string>();
  const known = new Set<string>();
  for (const start of pages.keys()) {
    const chain: string[] = [];
    let cur: string | null = start;
    while (cur !== null && !known.has(cur)) {
      chain.push(cur);
      cur = parentOf.get(cur) ?? null;
    }
    let trashedAbove = cur !== null && inTrash.has(cur);
    for (const id of chain.reverse()) {
      trashedAbove = trashedAbove || pages.get(id)?.trashed === true;
      if (trashedAbove) inTrash.add(id);
      known.add(id);
    }
  }
  return { parentOf, inTrash };
}
