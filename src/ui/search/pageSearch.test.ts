import { describe, expect, it } from 'vitest';
import { matchRank, PageSearch, type SearchablePage } from './pageSearch.ts';

const page = (id: string, title: string, updatedAt = 0): SearchablePage => ({ id, title, updatedAt });

describe('PageSearch', () => {
  it('matches case-insensitively, best matches first', () => {
    const s = new PageSearch([page('1', 'Meeting notes'), page('2', 'Notes'), page('3', 'Notebook'), page('4', 'Team notes 2024'), page('5', 'Recipes')]);
    expect(s.search('NOTE').map((p) => p.id)).toEqual(['2', '3', '1', '4']);
    expect(s.search('notes').map((p) => p.id)).toEqual(['2', '1', '4']);
    expect(s.search('xyz')).toEqual([]);
  });

  it('narrows incrementally and widens again when the query shrinks', () => {
    const s = new PageSearch([page('1', 'Alpha'), page('2', 'Alps'), page('3', 'Beta')]);
    expect(s.search('al').map((p) => p.id)).toEqual(['2', '1']);
    expect(s.search('alph').map((p) => p.id)).toEqual(['1']);
    expect(s.search('a').map((p) => p.id)).toHaveLength(3);
    expect(s.search('be').map((p) => p.id)).toEqual(['3']);
  });

  it('caps the results and shows recently updated pages for an empty query', () => {
    const pages = Array.from({ length: 500 }, (_, i) => page(String(i), `Page ${i}`, i));
    const s = new PageSearch(pages);
    const empty = s.search('');
    expect(empty).toHaveLength(50);
    expect(empty[0]?.id).toBe('499');
    expect(s.search('page')).toHaveLength(50);
    expect(s.search('page 12').map((p) => p.title)).toEqual(['Page 12', ...Array.from({ length: 10 }, (_, i) => `Page 12${i}`)]);
  });

  it('ranks exact, prefix, word start, then inside', () => {
    expect(matchRank('plans', 'plans')).toBe(0);
    expect(matchRank('plans 2025', 'plans')).toBe(1);
    expect(matchRank('my plans', 'plans')).toBe(2);
    expect(matchRank('airplanes', 'plan')).toBe(3);
    expect(matchRank('airplanes', 'x')).toBe(-1);
    expect(matchRank('a (b) c', '(b')).toBe(2);
  });
});
