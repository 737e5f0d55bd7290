/**
 * Order keys for inserting a page among its siblings.
 *
 * Keys come from `fractional-indexing`, so an insert normally reads two keys, writes one and touches no
 * sibling. Two replicas inserting at the same place concurrently compute the same key, and a remote replica
 * may write a key the library cannot parse; rule 3 (treeRules.ts) still orders such siblings by page id, but
 * no key fits strictly between two equal keys. Then the run of siblings around the insertion point is
 * widened until its outer neighbours are valid and distinct, and the whole run gets fresh keys: only the
 * tied or malformed siblings next to the insertion point are rewritten.
 */
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

/** Siblings in rule-3 order (without the page being inserted); keys are read only where needed. */
export interface SiblingList {
  readonly ids: readonly string[];
  orderOf(id: string): string;
}

export interface SiblingKey {
  readonly id: string;
  readonly order: string;
}

export interface KeyPlan {
  /** The key of the inserted page. */
  readonly key: string;
  /** Siblings that need a new key so that the inserted page lands at its index. */
  readonly rewrites: readonly SiblingKey[];
}

/** Whether the library accepts `key` as a bound. */
export function isValidOrderKey(key: string): boolean {
  try {
    generateKeyBetween(key, null);
    return true;
  } catch {
    return false;
  }
}

/** Keys to insert a page at `index` among the siblings; `index` is clamped to [0, length]. */
export function planInsertion(siblings: SiblingList, index: number): KeyPlan {
  const { ids } = siblings;
  const keyAt = (i: number): string => siblings.orderOf(ids[i]!);
  const at = Math.max(0, Math.min(ids.length, index));
  // Siblings [lo, hi) are rewritten; the inserted page goes between siblings at-1 and at.
  let lo = at;
  let hi = at;
  for (;;) {
    const below = lo > 0 ? keyAt(lo - 1) : null;
    const above = hi < ids.length ? keyAt(hi) : null;
    const keys = tryKeysBetween(below, above, hi - lo + 1);
    if (keys) {
      const rewrites: SiblingKey[] = [];
      for (let i = lo; i < hi; i++) rewrites.push({ id: ids[i]!, order: keys[i < at ? i - lo : i - lo + 1]! });
      return { key: keys[at - lo]!, rewrites };
    }
    let [nextLo, nextHi] = [lo, hi];
    if (below !== null && below === above) {
      // A tie: take in the whole run of equal keys on both sides at once.
      while (nextLo > 0 && keyAt(nextLo - 1) === below) nextLo--;
      while (nextHi < ids.length && keyAt(nextHi) === above) nextHi++;
    } else if ((below !== null && !isValidOrderKey(below)) || (above !== null && !isValidOrderKey(above))) {
      if (below !== null && !isValidOrderKey(below)) nextLo--;
      if (above !== null && !isValidOrderKey(above)) nextHi++;
    } else {
      // Both valid and ordered but the library still refused (its integer range is exhausted): widen both.
      nextLo = Math.max(0, lo - 1);
      nextHi = Math.min(ids.length, hi + 1);
    }
    // Unreachable: with no neighbours left, (null, null) always yields keys.
    if (nextLo === lo && nextHi === hi) throw new Error('planInsertion: no progress');
    lo = nextLo;
    hi = nextHi;
  }
}

function tryKeysBetween(below: string | null, above: string | null, n: number): string[] | undefined {
  if (below !== null && above !== null && below >= above) return undefined;
  try {
    return generateNKeysBetween(below, above, n);
  } catch {
    return undefined;
  }
}
