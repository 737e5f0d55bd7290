/**
 * Title search for the quick switcher. The index is built once when the switcher opens (an O(n) pass
 * over the space; never on the critical path of the sidebar). Typing more characters narrows the last
 * candidates instead of scanning the whole space again, and only the best `limit` matches are returned.
 */

export interface SearchablePage {
  readonly id: string;
  readonly title: string;
  readonly updatedAt: number;
}

interface Entry {
  page: SearchablePage;
  lower: string;
}

export const MAX_RESULTS = 50;

/** How well a title matches (lower is better), or -1 when it does not: exact, prefix, word start, inside. */
export function matchRank(lowerTitle: string, lowerQuery: string): number {
  const at = lowerTitle.indexOf(lowerQuery);
  if (at < 0) return -1;
  if (lowerTitle.length === lowerQuery.length) return 0;
  if (at === 0) return 1;
  const wordStart = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(lowerQuery)}`, 'u');
  return wordStart.test(lowerTitle) ? 2 : 3;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class PageSearch {
  private readonly all: Entry[];
  private lastQuery = '';
  private lastMatches: Entry[];

  constructor(pages: Iterable<SearchablePage>) {
    this.all = [];
    for (const page of pages) this.all.push({ page, lower: page.title.trim().toLowerCase() });
    this.lastMatches = this.all;
  }

  get size(): number {
    return this.all.length;
  }

  /** The best matches for `query` (case-insensitive); an empty query gives the most recently updated pages. */
  search(query: string, limit = MAX_RESULTS): SearchablePage[] {
    const q = query.trim().toLowerCase();
    if (q === '') {
      this.lastQuery = '';
      this.lastMatches = this.all;
      return topK(this.all, limit, (a, b) => b.page.updatedAt - a.page.updatedAt || byTitle(a, b)).map((e) => e.page);
    }
    // Narrow the previous candidates when the query only grew; otherwise scan everything once.
    const pool = this.lastQuery !== '' && q.startsWith(this.lastQuery) ? this.lastMatches : this.all;
    const ranked: { entry: Entry; rank: number }[] = [];
    const matches: Entry[] = [];
    for (const entry of pool) {
      const rank = matchRank(entry.lower, q);
      if (rank < 0) continue;
      matches.push(entry);
      ranked.push({ entry, rank });
    }
    this.lastQuery = q;
    this.lastMatches = matches;
    return topK(ranked, limit, (a, b) => a.rank - b.rank || a.entry.lower.length - b.entry.lower.length || byTitle(a.entry, b.entry)).map(
      (r) => r.entry.page,
    );
  }
}

function byTitle(a: Entry, b: Entry): number {
  return a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : a.page.id < b.page.id ? -1 : a.page.id > b.page.id ? 1 : 0;
}

/** The `k` smallest items in order, without sorting the whole array when it is large. */
function topK<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= k * 4) return [...items].sort(compare).slice(0, k);
  const best: T[] = [];
  for (const item of items) {
    if (best.length === k && compare(item, best[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(best[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, item);
    if (best.length > k) best.pop();
  }
  return best;
}
