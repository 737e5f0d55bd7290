import { describe, it, expect } from 'vitest';
import { isValidOrderKey, planInsertion } from './orderKeys.ts';
import type { SiblingKey, SiblingList } from './orderKeys.ts';
import { mulberry32 } from '../testing/prng.ts';

function list(keys: readonly SiblingKey[]): SiblingList {
  const byId = new Map(keys.map((k) => [k.id, k.order]));
  return { ids: keys.map((k) => k.id), orderOf: (id) => byId.get(id)! };
}
/** Applies a plan and returns the ids in rule-3 order. */
function insert(keys: readonly SiblingKey[], index: number, id = 'new'): { order: string[]; rewritten: string[] } {
  const plan = planInsertion(list(keys), index);
  const rewrites = new Map(plan.rewrites.map((r) => [r.id, r.order]));
  const after = [...keys.map((k) => ({ id: k.id, order: rewrites.get(k.id) ?? k.order })), { id, order: plan.key }];
  after.sort((a, b) => (a.order !== b.order ? (a.order < b.order ? -1 : 1) : a.id < b.id ? -1 : 1));
  return { order: after.map((k) => k.id), rewritten: [...rewrites.keys()] };
}
const k = (id: string, order: string): SiblingKey => ({ id, order });

describe('planInsertion', () => {
  it('inserts into an empty list, at both ends and in the middle without rewriting anyone', () => {
    expect(insert([], 0)).toEqual({ order: ['new'], rewritten: [] });
    const keys = [k('a', 'a0'), k('b', 'a1'), k('c', 'a2')];
    expect(insert(keys, 0)).toEqual({ order: ['new', 'a', 'b', 'c'], rewritten: [] });
    expect(insert(keys, 2)).toEqual({ order: ['a', 'b', 'new', 'c'], rewritten: [] });
    expect(insert(keys, 3)).toEqual({ order: ['a', 'b', 'c', 'new'], rewritten: [] });
    expect(insert(keys, 99).order).toEqual(['a', 'b', 'c', 'new']);
    expect(insert(keys, -5).order).toEqual(['new', 'a', 'b', 'c']);
  });

  it('inserts between equal keys by rewriting only the tied run', () => {
    const keys = [k('a', 'a0'), k('b', 'a1'), k('c', 'a1'), k('d', 'a1'), k('e', 'a2')];
    const result = insert(keys, 2);
    expect(result.order).toEqual(['a', 'b', 'new', 'c', 'd', 'e']);
    expect(result.rewritten.sort()).toEqual(['b', 'c', 'd']);
  });

  it('inserts next to a tie (not inside it) without rewriting', () => {
    const keys = [k('a', 'a0'), k('b', 'a1'), k('c', 'a1')];
    expect(insert(keys, 3)).toEqual({ order: ['a', 'b', 'c', 'new'], rewritten: [] });
    expect(insert(keys, 1)).toEqual({ order: ['a', 'new', 'b', 'c'], rewritten: [] });
  });

  it('works when every key is equal, and when keys are malformed', () => {
    const same = ['x', 'y', 'z'].map((id) => k(id, 'a0'));
    expect(insert(same, 1).order).toEqual(['x', 'new', 'y', 'z']);
    const bad = [k('a', ''), k('b', '!!'), k('c', 'a0')];
    expect(isValidOrderKey('')).toBe(false);
    expect(isValidOrderKey('!!')).toBe(false);
    expect(isValidOrderKey('a0')).toBe(true);
    expect(insert(bad, 1).order).toEqual(['a', 'new', 'b', 'c']);
    expect(insert(bad, 0).order).toEqual(['new', 'a', 'b', 'c']);
    expect(insert(bad, 3).order).toEqual(['a', 'b', 'c', 'new']);
  });

  it('always lands at the requested index (random lists with ties and bad keys)', () => {
    const rng = mulberry32(7);
    const pool = ['a0', 'a1', 'a1', 'a2', 'a0V', 'Zz', '', 'bad', 'b00'];
    for (let run = 0; run < 2000; run++) {
      const n = rng.int(8);
      const keys = Array.from({ length: n }, (_, i) => k(`id${i}`, rng.pick(pool)));
      keys.sort((x, y) => (x.order !== y.order ? (x.order < y.order ? -1 : 1) : x.id < y.id ? -1 : 1));
      const index = rng.int(n + 1);
      const result = insert(keys, index, 'zz-new');
      const expected = keys.map((x) => x.id);
      expected.splice(index, 0, 'zz-new');
      expect(result.order, `run ${run}: ${JSON.stringify(keys)} at ${index}`).toEqual(expected);
    }
  });
});
