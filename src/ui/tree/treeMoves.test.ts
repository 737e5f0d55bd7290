import { describe, expect, it } from 'vitest';
import { dropZone, END, isInsideDragged, planDrop, planKeyboardMove, TOP, type VisibleRow } from './treeMoves.ts';

// A (A1 (A1a), A2), B, C: as the sidebar shows it with A and A1 expanded.
const parents: Record<string, string[]> = { [TOP]: ['A', 'B', 'C'], A: ['A1', 'A2'], A1: ['A1a'] };
const flat: VisibleRow[] = [
  { row: { id: 'A', parentId: TOP }, level: 1 },
  { row: { id: 'A1', parentId: 'A' }, level: 2 },
  { row: { id: 'A1a', parentId: 'A1' }, level: 3 },
  { row: { id: 'A2', parentId: 'A' }, level: 2 },
  { row: { id: 'B', parentId: TOP }, level: 1 },
  { row: { id: 'C', parentId: TOP }, level: 1 },
];
const siblingsOf = (key: string) => parents[key] ?? [];
const at = (id: string) => flat.findIndex((f) => f.row.id === id);

describe('tree moves', () => {
  it('splits a row into before (top quarter), inside and after (bottom quarter)', () => {
    expect([0, 7, 8, 15, 22, 23, 29].map((y) => dropZone(y, 30))).toEqual(['before', 'before', 'inside', 'inside', 'inside', 'after', 'after']);
  });

  it('refuses drops onto the dragged page and its visible descendants only', () => {
    expect(['A', 'A1', 'A1a', 'A2', 'B'].map((id) => isInsideDragged(flat, 'A1', at(id)))).toEqual([false, true, true, false, false]);
    for (const zone of ['before', 'inside', 'after'] as const) {
      expect(planDrop(flat, siblingsOf, 'A', at('A1a'), zone)).toBeNull();
      expect(planDrop(flat, siblingsOf, 'A', at('A'), zone)).toBeNull();
    }
  });

  it('plans drops inside, before and after rows, and below every row', () => {
    expect(planDrop(flat, siblingsOf, 'C', at('A1'), 'inside')).toEqual({ pageId: 'C', parentId: 'A1', index: END, expand: 'A1' });
    expect(planDrop(flat, siblingsOf, 'C', at('A'), 'before')).toEqual({ pageId: 'C', parentId: null, index: 0 });
    expect(planDrop(flat, siblingsOf, 'A', at('B'), 'after')).toEqual({ pageId: 'A', parentId: null, index: 1 }); // [B, C] without A
    expect(planDrop(flat, siblingsOf, 'B', at('A2'), 'before')).toEqual({ pageId: 'B', parentId: 'A', index: 1 });
    expect(planDrop(flat, siblingsOf, 'A1a', 'end', 'after')).toEqual({ pageId: 'A1a', parentId: null, index: END });
  });

  it('plans Alt+arrow moves, and none at the edges', () => {
    expect(planKeyboardMove(flat, siblingsOf, at('B'), 'up')).toEqual({ pageId: 'B', parentId: null, index: 0 });
    expect(planKeyboardMove(flat, siblingsOf, at('B'), 'down')).toEqual({ pageId: 'B', parentId: null, index: 2 });
    expect(planKeyboardMove(flat, siblingsOf, at('A'), 'up')).toBeNull();
    expect(planKeyboardMove(flat, siblingsOf, at('C'), 'down')).toBeNull();
    expect(planKeyboardMove(flat, siblingsOf, at('A2'), 'indent')).toEqual({ pageId: 'A2', parentId: 'A1', index: END, expand: 'A1' });
    expect(planKeyboardMove(flat, siblingsOf, at('A1'), 'indent')).toBeNull();
    expect(planKeyboardMove(flat, siblingsOf, at('A1a'), 'outdent')).toEqual({ pageId: 'A1a', parentId: 'A', index: 1 });
    expect(planKeyboardMove(flat, siblingsOf, at('A2'), 'outdent')).toEqual({ pageId: 'A2', parentId: null, index: 1 });
    expect(planKeyboardMove(flat, siblingsOf, at('B'), 'outdent')).toBeNull();
  });
});
