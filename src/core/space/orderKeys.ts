/**
 * Order keys for inserting a page among its siblings.
 *
 * Keys come from `fractional-indexing`, so an insert normally writes one key and touches no sibling. Two
 * replicas inserting at the same place concurrently compute the same key, and a remote replica may write a
 * key the library cannot parse; rule 3 (treeRules.ts) still orders such siblings by page id, but no key fits
 * strictly between two equal keys. Then the run of siblings around the insertion point is widened until its
 * outer neighbours are valid and distinct, and the whole run gets fresh keys: only the tied or malformed
 * siblings next to the insertion point are rewritten.
 */
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

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

/**
 * Keys to insert a page at `index` among `siblings` (sorted by rule 3, without the inserted page);
 * `index` is clamped to [0, siblings.length].
 */
export function planInsertion(siblings: readonly SiblingKey[], index: number): KeyPlan {
  const at = Math.max(0, Math.min(siblings.length, index));
  // Siblings [lo, hi) are rewritten; the inserted page goes between siblings at-1 and at.
  let lo = at;
  let hi = at;
  for (;;) {
    const below = lo > 0 ? siblings[lo - 1]!.order : null;
    const above = hi < siblings.length ? siblings[hi]!.order : null;
    const keys = tryKeysBetween(below, above, hi - lo + 1);
    if (keys) {
      const rewrites: SiblingKey[] = [];
      for (let i = lo; i < hi; i++) rewrites.push({ id: siblings[i]!.id, order: keys[i < at ? i - lo : i - lo + 1]! });
      return { key: keys[at - lo]!, rewrites };
    }
    const [nextLo, nextHi] = widen(siblings, lo, hi, below, above);
    if (nextLo === lo && nextHi === hi) throw new Error('planInsertion: no progress'); // unreachable: (null, null) always works
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

/** Widens [lo, hi) past the bound(s) that made key generation fail. */
function widen(siblings: readonly SiblingKey[], lo: number, hi: number, below: string | null, above: string | null): [number, number] {
  const badBelow = below !== null && !isValidOrderKey(below);
  const badAbove = above !== null && !isValidOrderKey(above);
  if (below !== null && below === above) {
    // A tie: take in the whole run of equal keys on both sides at once.
    while (lo > 0 && siblings[lo - 1]!.order === below) lo--;
    while (hi < siblings.length && siblings[hi]!.order === above) hi++;
    return [lo, hi];
  }
  if (badBelow || badAbove) return [badBelow ? lo - 1 : lo, badAbove ? hi + 1 : hi];
  // Both valid and ordered but the library still refused (its integer range is exhausted): widen both.
  return [Math.max(0, lo - 1), Math.min(siblings.length, hi + 1)];
}
