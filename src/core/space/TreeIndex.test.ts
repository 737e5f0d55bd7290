import { describe, it, expect } from 'vitest';
import { TreeIndex } from './TreeIndex.ts';
import { computeEffectiveTree } from './treeRules.ts';
import type { RawPage } from './schema.ts';
import { mulberry32 } from '../testing/prng.ts';

function page(id: string, parent: string | null, extra: Partial<RawPage> = {}): RawPage {
  return { id, title: '', icon: null, createdAt: 0, updatedAt: 0, trashed: false, trashedAt: null, parent, order: 'a0', lamport: 0, client: 0, links: [], ...extra };
}
function build(pages: RawPage[]): TreeIndex {
  const index = new TreeIndex();
  index.apply(new Map(pages.map((p) => [p.id, p])));
  return index;
}

describe('tree rules', () => {
  it('rule 1: a parent that does not exist puts the page at the top level', () => {
    const index = build([page('a', 'gone'), page('b', 'a')]);
    expect(index.parent('a')).toBeNull();
    expect(index.parent('b')).toBe('a');
  });

  it('rule 2: a loop breaks at the greatest stamp (lamport, then client, then id)', () => {
    const byLamport = build([page('a', 'b', { lamport: 5, client: 1 }), page('b', 'a', { lamport: 4, client: 9 })]);
    expect([byLamport.parent('a'), byLamport.parent('b')]).toEqual([null, 'a']);
    const byClient = build([page('a', 'b', { lamport: 5, client: 1 }), page('b', 'a', { lamport: 5, client: 2 })]);
    expect([byClient.parent('a'), byClient.parent('b')]).toEqual(['b', null]);
    const byId = build([page('a', 'b', { lamport: 5, client: 1 }), page('b', 'a', { lamport: 5, client: 1 })]);
    expect([byId.parent('a'), byId.parent('b')]).toEqual(['b', null]);
    const self = build([page('s', 's'), page('t', 's')]);
    expect([self.parent('s'), self.parent('t')]).toEqual([null, 's']);
  });

  it('rule 2: pages hanging off a loop keep their parents', () => {
    const index = build([page('a', 'b', { lamport: 9 }), page('b', 'c'), page('c', 'a'), page('x', 'b'), page('y', 'x')]);
    expect(index.parent('a')).toBeNull();
    expect(index.parent('x')).toBe('b');
    expect(index.parent('y')).toBe('x');
    expect(index.verify()).toEqual([]);
  });

  it('rule 3: siblings sort by order key, then id, by code units', () => {
    const index = build([page('b', null, { order: 'a1' }), page('a', null, { order: 'a1' }), page('c', null, { order: 'Zz' }), page('É', null, { order: 'a1' })]);
    expect(index.children(null)).toEqual(['c', 'a', 'b', 'É']);
  });

  it('rule 4: a page under a trashed page is in the trash', () => {
    const index = build([page('a', null, { trashed: true }), page('b', 'a'), page('c', 'b')]);
    expect(['a', 'b', 'c'].map((id) => index.inTrash(id))).toEqual([true, true, true]);
    index.apply(new Map([['a', page('a', null)]]));
    expect(['a', 'b', 'c'].map((id) => index.inTrash(id))).toEqual([false, false, false]);
  });

  it('a loop appears and disappears as parents change', () => {
    const index = build([page('a', null), page('b', 'a')]);
    index.apply(new Map([['a', page('a', 'b', { lamport: 3 })]]));
    expect(index.cycles()).toHaveLength(1);
    expect(index.parent('a')).toBeNull();
    expect(index.parent('b')).toBe('a');
    index.apply(new Map([['b', page('b', null, { lamport: 4 })]]));
    expect(index.cycles()).toHaveLength(0);
    expect(index.parent('a')).toBe('b');
    expect(index.verify()).toEqual([]);
  });
});

describe('TreeIndex incremental maintenance', () => {
  it('matches the reference after every batch of random changes (parents, stamps, keys, trash, deletions)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = mulberry32(seed);
      const ids = Array.from({ length: 3 + rng.int(12) }, (_, i) => `n${i}`);
      const index = new TreeIndex();
      const current = new Map<string, RawPage>();
      for (let step = 0; step < 40; step++) {
        const batch = new Map<string, RawPage | undefined>();
        const size = rng.chance(0.1) ? 100 : 1 + rng.int(4);
        for (let i = 0; i < size; i++) {
          const id = rng.pick(ids);
          if (rng.chance(0.15)) {
            batch.set(id, undefined);
            continue;
          }
          const before = current.get(id) ?? page(id, null);
          batch.set(id, {
            ...before,
            parent: rng.chance(0.5) ? before.parent : rng.chance(0.2) ? null : rng.pick([...ids, 'missing']),
            order: rng.chance(0.6) ? before.order : rng.pick(['a0', 'a1', 'a2', '', 'a1']),
            lamport: rng.chance(0.5) ? before.lamport : rng.int(10),
            client: rng.chance(0.7) ? before.client : rng.int(3),
            trashed: rng.chance(0.8) ? before.trashed : !before.trashed,
          });
        }
        for (const [id, p] of batch) if (p) current.set(id, p); else current.delete(id);
        index.apply(batch);
        const problems = index.verify();
        const reference = computeEffectiveTree(current);
        for (const id of current.keys()) {
          if (index.parent(id) !== reference.parentOf.get(id)) problems.push(`${id}: parent differs from the reference`);
        }
        if (problems.length > 0) expect(problems, `seed ${seed} step ${step}`).toEqual([]);
      }
    }
  });
});
