/**
 * The effective tree of a space (rules in treeRules.ts), maintained incrementally as raw page records change.
 *
 * A change of titles, icons or order keys costs only the pages touched. A change of parents or stamps walks
 * up from the changed pages only (each page at most once per batch), so a local move costs the depth of the
 * tree, and a batch touching every page (the first load) costs O(n). Children lists are sorted lazily, per
 * parent, and only after one of that parent's children changed: nothing ever sorts the whole space.
 */
import type { RawPage } from './schema.ts';
import { compareSiblings, computeEffectiveTree, pageBreakingCycle } from './treeRules.ts';

/**
 * Batches of more record changes than this re-sort the touched parents lazily instead of inserting into
 * their sorted lists one by one (one sort of k siblings beats many O(k) insertions).
 */
const IN_PLACE_SORT_LIMIT = 64;

/** A loop of raw parents, and the page of it that rule 2 puts at the top level. */
export interface Cycle {
  readonly breaksAt: string;
  readonly members: readonly string[];
}

export class TreeIndex {
  private readonly raw = new Map<string, RawPage>();
  /** Effective parent of every page. */
  private readonly parentOf = new Map<string, string | null>();
  /** Effective children of every parent (null: the top level), trashed ones included. */
  private readonly kids = new Map<string | null, Set<string>>();
  /**
   * Sorted copies of `kids`, built on first read. Small batches keep them sorted in place (binary insertion);
   * larger ones drop the lists of the parents they touch, to be re-sorted on the next read.
   */
  private readonly sortedKids = new Map<string | null, string[]>();
  /** Pages whose order key changed (or that went) in the batch being applied: out of the sorted lists. */
  private floating = new Set<string>();
  private sortInPlace = true;
  private readonly inTrashSet = new Set<string>();
  /** Raw parent id (existing or not) -> the pages naming it: they change parent when it appears or goes. */
  private readonly referrers = new Map<string, Set<string>>();
  /** Every page on a loop of raw parents -> the loop. */
  private readonly cycleOf = new Map<string, Cycle>();
  private maxLamportSeen = 0;

  /** The greatest Lamport counter of any move seen: the next local move is stamped above it. */
  get maxLamport(): number {
    return this.maxLamportSeen;
  }
  get size(): number {
    return this.raw.size;
  }
  page(id: string): RawPage | undefined {
    return this.raw.get(id);
  }
  pages(): IterableIterator<RawPage> {
    return this.raw.values();
  }
  /** Effective parent; undefined for an unknown page. */
  parent(id: string): string | null | undefined {
    return this.parentOf.get(id);
  }
  inTrash(id: string): boolean {
    return this.inTrashSet.has(id);
  }
  cycle(id: string): Cycle | undefined {
    return this.cycleOf.get(id);
  }
  cycles(): Cycle[] {
    return [...new Set(this.cycleOf.values())];
  }

  /** Effective children of a parent, trashed ones included, sorted by rule 3. Valid until the next apply. */
  children(parent: string | null): readonly string[] {
    const cached = this.sortedKids.get(parent);
    if (cached) return cached;
    const set = this.kids.get(parent);
    if (!set || set.size === 0) return [];
    const sorted = [...set].sort((a, b) => compareSiblings(this.raw.get(a)!, this.raw.get(b)!));
    this.sortedKids.set(parent, sorted);
    return sorted;
  }

  /**
   * Applies new values of some records (undefined: the record is gone). Returns the ids whose record,
   * effective parent or trash state may have changed: the only pages whose PageRecord needs rebuilding.
   */
  apply(updates: ReadonlyMap<string, RawPage | undefined>): Set<string> {
    const touched = new Set<string>();
    const relinked = new Set<string>();
    const trashSeeds = new Set<string>();
    this.sortInPlace = updates.size <= IN_PLACE_SORT_LIMIT;
    this.floating = new Set();
    for (const [id, next] of updates) {
      const prev = this.raw.get(id);
      if (!prev && !next) continue;
      touched.add(id);
      if (next) this.maxLamportSeen = Math.max(this.maxLamportSeen, next.lamport);
      if (!prev || !next || prev.parent !== next.parent || prev.lamport !== next.lamport || prev.client !== next.client) {
        relinked.add(id);
        if (prev?.parent != null) this.unrefer(prev.parent, id);
        if (next?.parent != null) this.refer(next.parent, id);
        // Pages naming this one gain or lose their parent (rule 1).
        if (!prev || !next) for (const r of this.referrers.get(id) ?? []) relinked.add(r);
      }
      if (!prev || !next || prev.trashed !== next.trashed) trashSeeds.add(id);
      // Out of the sorted lists before any binary insertion compares against a changed or missing key.
      if (prev && (!next || prev.order !== next.order)) this.unplace(id);
      if (next) this.raw.set(id, next);
      else this.raw.delete(id);
    }
    if (relinked.size > 0) {
      for (const id of this.relink(relinked)) {
        touched.add(id);
        trashSeeds.add(id);
      }
    }
    for (const id of this.propagateTrash(trashSeeds)) touched.add(id);
    for (const id of this.floating) {
      const parent = this.parentOf.get(id);
      if (parent !== undefined) this.place(id, parent);
    }
    this.floating.clear();
    return touched;
  }

  /** Recomputes effective parents after the raw parents or stamps of `changed` changed. Returns who moved. */
  private relink(changed: ReadonlySet<string>): Set<string> {
    // Any loop through a changed page may be gone or broken elsewhere: forget it and re-examine its pages.
    const recheck = new Set<string>();
    for (const id of changed) {
      recheck.add(id);
      const cycle = this.cycleOf.get(id);
      if (!cycle) continue;
      for (const m of cycle.members) {
        recheck.add(m);
        this.cycleOf.delete(m);
      }
    }
    // A new loop contains a changed page, so walking up from each re-examined page finds them all. A page
    // already walked (`resolved`) or on a known loop is not walked again: each page is visited once.
    const resolved = new Set<string>();
    const candidates = new Set(recheck);
    for (const start of recheck) {
      if (!this.raw.has(start)) continue;
      const path: string[] = [];
      const onPath = new Map<string, number>();
      let cur: string | null = start;
      while (cur !== null && !resolved.has(cur) && !this.cycleOf.has(cur)) {
        const at = onPath.get(cur);
        if (at !== undefined) {
          const members = path.slice(at);
          const cycle: Cycle = { breaksAt: pageBreakingCycle(this.raw, members), members };
          for (const m of members) {
            this.cycleOf.set(m, cycle);
            candidates.add(m);
          }
          break;
        }
        onPath.set(cur, path.length);
        path.push(cur);
        cur = this.rawParent(cur);
      }
      for (const id of path) resolved.add(id);
    }
    const moved = new Set<string>();
    for (const id of candidates) {
      const before = this.parentOf.get(id);
      const after = this.raw.has(id) ? this.effectiveParent(id) : undefined;
      if (before === after) continue;
      moved.add(id);
      if (before !== undefined) this.detach(id, before);
      if (after !== undefined) this.attach(id, after);
      else this.parentOf.delete(id);
    }
    for (const id of candidates) {
      if (this.raw.has(id)) continue;
      // Its children named it, so they were re-examined and moved to the top level above.
      this.kids.delete(id);
      this.sortedKids.delete(id);
    }
    return moved;
  }

  /** Recomputes inTrash of the seeds and, wherever it flips, of their subtrees. Returns who flipped. */
  private propagateTrash(seeds: ReadonlySet<string>): Set<string> {
    const flipped = new Set<string>();
    const stack = [...seeds];
    while (stack.length > 0) {
      const id = stack.pop()!;
      const page = this.raw.get(id);
      if (!page) {
        this.inTrashSet.delete(id);
        continue;
      }
      const parent = this.parentOf.get(id) ?? null;
      const value = page.trashed || (parent !== null && this.inTrashSet.has(parent));
      if (value === this.inTrashSet.has(id)) continue;
      if (value) this.inTrashSet.add(id);
      else this.inTrashSet.delete(id);
      flipped.add(id);
      for (const child of this.kids.get(id) ?? []) stack.push(child);
    }
    return flipped;
  }

  private rawParent(id: string): string | null {
    const parent = this.raw.get(id)?.parent ?? null;
    return parent !== null && this.raw.has(parent) ? parent : null;
  }
  private effectiveParent(id: string): string | null {
    return this.cycleOf.get(id)?.breaksAt === id ? null : this.rawParent(id);
  }
  private attach(id: string, parent: string | null): void {
    this.parentOf.set(id, parent);
    let set = this.kids.get(parent);
    if (!set) this.kids.set(parent, (set = new Set()));
    set.add(id);
    if (!this.floating.has(id)) this.place(id, parent);
  }
  private detach(id: string, parent: string | null): void {
    const set = this.kids.get(parent);
    set?.delete(id);
    if (set?.size === 0) this.kids.delete(parent);
    if (!this.floating.has(id)) this.unplaceFrom(id, parent);
  }

  /** Takes a page whose order key changed out of its parent's sorted list until `place` puts it back. */
  private unplace(id: string): void {
    const parent = this.parentOf.get(id);
    if (parent !== undefined) this.unplaceFrom(id, parent);
    this.floating.add(id);
  }
  private unplaceFrom(id: string, parent: string | null): void {
    const sorted = this.sortedKids.get(parent);
    if (!sorted) return;
    if (!this.sortInPlace) {
      this.sortedKids.delete(parent);
      return;
    }
    // By identity, not by key: the page's key may already be the new one.
    const at = sorted.indexOf(id);
    if (at >= 0) sorted.splice(at, 1);
  }
  /** Inserts a page into its parent's sorted list, if that list is built. */
  private place(id: string, parent: string | null): void {
    const sorted = this.sortedKids.get(parent);
    if (!sorted) return;
    if (!this.sortInPlace) {
      this.sortedKids.delete(parent);
      return;
    }
    const page = this.raw.get(id)!;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareSiblings(this.raw.get(sorted[mid]!)!, page) < 0) lo = mid + 1;
      else hi = mid;
    }
    sorted.splice(lo, 0, id);
  }
  private refer(parent: string, id: string): void {
    let set = this.referrers.get(parent);
    if (!set) this.referrers.set(parent, (set = new Set()));
    set.add(id);
  }
  private unrefer(parent: string, id: string): void {
    const set = this.referrers.get(parent);
    set?.delete(id);
    if (set?.size === 0) this.referrers.delete(parent);
  }

  /** Compares the incremental state with the reference computation and checks the tree's shape. */
  verify(): string[] {
    const problems: string[] = [];
    const reference = computeEffectiveTree(this.raw);
    for (const [id, page] of this.raw) {
      const parent = this.parentOf.get(id);
      if (parent === undefined) {
        problems.push(`page ${id} has no effective parent`);
        continue;
      }
      if (parent !== reference.parentOf.get(id)) problems.push(`page ${id}: parent ${parent}, reference ${String(reference.parentOf.get(id))}`);
      if (parent !== null && !this.raw.has(parent)) problems.push(`page ${id}: parent ${parent} does not exist`);
      if (parent === id) problems.push(`page ${id} is its own parent`);
      if (this.inTrashSet.has(id) !== reference.inTrash.has(id)) problems.push(`page ${id}: inTrash differs from the reference`);
      if (!this.inTrashSet.has(id) && parent !== null && this.inTrashSet.has(parent)) problems.push(`live page ${id} under trashed ${parent}`);
      if (page.trashed && !this.inTrashSet.has(id)) problems.push(`trashed page ${id} is live`);
      if (!this.kids.get(parent)?.has(id)) problems.push(`page ${id} missing from the children of ${parent}`);
      let steps = 0;
      for (let cur: string | null = parent; cur !== null; cur = this.parentOf.get(cur) ?? null) {
        if (++steps > this.raw.size) {
          problems.push(`page ${id} is on or under a cycle`);
          break;
        }
      }
    }
    if (this.parentOf.size !== this.raw.size) problems.push(`${this.parentOf.size} effective parents for ${this.raw.size} pages`);
    let listed = 0;
    for (const [parent, set] of this.kids) {
      listed += set.size;
      for (const id of set) if (this.parentOf.get(id) !== parent) problems.push(`page ${id} listed under ${parent}`);
      const sorted = this.children(parent);
      if (sorted.length !== set.size) problems.push(`stale sorted children of ${parent}`);
      for (let i = 1; i < sorted.length; i++) {
        if (compareSiblings(this.raw.get(sorted[i - 1]!)!, this.raw.get(sorted[i]!)!) >= 0) problems.push(`children of ${parent} not strictly ordered at ${i}`);
      }
    }
    if (listed !== this.raw.size) problems.push(`${listed} pages listed as children, ${this.raw.size} pages`);
    for (const id of this.inTrashSet) if (!this.raw.has(id)) problems.push(`deleted page ${id} still in trash set`);
    for (const [id, cycle] of this.cycleOf) {
      if (!this.raw.has(id)) problems.push(`deleted page ${id} still on a cycle`);
      if (!cycle.members.includes(id)) problems.push(`cycle record of ${id} does not contain it`);
    }
    return problems;
  }
}
