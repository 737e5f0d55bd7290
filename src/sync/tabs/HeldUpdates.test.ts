import { describe, expect, it } from 'vitest';
import { HeldUpdates } from './HeldUpdates.ts';

const u = (n: number) => new Uint8Array([n]);

describe('HeldUpdates', () => {
  it('holds per tab and document until acked, never holds untracked or already-acked updates', () => {
    const h = new HeldUpdates();
    expect(h.hold('a', 'd', 0, u(0))).toBe(false);
    expect(h.hold('a', 'd', 1, u(1))).toBe(true);
    expect(h.hold('a', 'd', 2, u(2))).toBe(true);
    expect(h.hold('a', 'e', 3, u(3))).toBe(true);
    expect(h.hold('b', 'd', 1, u(9))).toBe(true);
    h.acked('a', 'd', 1);
    expect(h.count('a')).toBe(2);
    expect(h.hold('a', 'd', 1, u(1))).toBe(false);
    expect(h.has('a', 'd')).toBe(true);
    h.acked('a', 'd', 2);
    expect(h.has('a', 'd')).toBe(false);
    expect(h.count()).toBe(2);
  });

  it('hands over what a dead tab left, for one document or all, and forgets a closed document', () => {
    const h = new HeldUpdates();
    h.hold('a', 'd', 1, u(1));
    h.hold('a', 'd', 2, u(2));
    h.hold('a', 'e', 3, u(3));
    h.hold('b', 'e', 1, u(7));
    expect([...h.take('a', 'e')]).toEqual([['e', [u(3)]]]);
    expect([...h.take('a')]).toEqual([['d', [u(1), u(2)]]]);
    expect(h.take('a').size).toBe(0);
    h.dropDoc('e');
    expect(h.count()).toBe(0);
  });

  it('lists, per document, every tab something is held from, with the highest seq held from it', () => {
    const h = new HeldUpdates();
    h.hold('a', 'd', 2, u(2));
    h.hold('a', 'd', 5, u(5));
    h.hold('b', 'd', 3, u(3));
    h.hold('b', 'e', 9, u(9));
    expect(h.authors('d')).toEqual([{ tab: 'a', seq: 5 }, { tab: 'b', seq: 3 }]);
    h.acked('b', 'd', 3);
    expect(h.authors('d')).toEqual([{ tab: 'a', seq: 5 }]);
    expect(h.authors('f')).toEqual([]);
  });
});
