import { describe, expect, it } from 'vitest';
import { Listeners } from './Listeners.ts';

describe('Listeners', () => {
  it('calls every listener with the value, and stops calling one once it is removed', () => {
    const l = new Listeners<number>();
    const seen: string[] = [];
    const offA = l.add((v) => seen.push(`a${v}`));
    l.add((v) => seen.push(`b${v}`));
    l.emit(1);
    offA();
    offA();
    l.emit(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(l.size).toBe(1);
  });

  it('a listener removing itself or a neighbour mid-emit: the emit in progress calls those registered when it started', () => {
    const l = new Listeners<void>();
    const seen: string[] = [];
    let offB = () => {};
    const offA = l.add(() => {
      seen.push('a');
      offA();
      offB();
      l.add(() => seen.push('late'));
    });
    offB = l.add(() => seen.push('b'));
    l.emit();
    expect(seen).toEqual(['a', 'b']);
    l.emit();
    expect(seen).toEqual(['a', 'b', 'late']);
  });

  it('a listener that throws is not swallowed', () => {
    const l = new Listeners<void>();
    l.add(() => {
      throw new Error('listener bug');
    });
    expect(() => l.emit()).toThrow('listener bug');
  });

  it('emitToAll calls every listener even when one throws, then rethrows the first error', () => {
    const l = new Listeners<number>();
    const seen: number[] = [];
    l.add(() => {
      throw new Error('first');
    });
    l.add((v) => seen.push(v));
    l.add(() => {
      throw new Error('second');
    });
    expect(() => l.emitToAll(7)).toThrow('first');
    expect(seen).toEqual([7]);
  });
});
