import { describe, expect, it } from 'vitest';
import { countWords } from './editor/countWords.ts';
import { formatEdited, formatPageDetails } from './formatPageDetails.ts';

describe('countWords', () => {
  it('counts word-like segments, not punctuation or spaces', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  Hello,   world! ')).toBe(2);
    expect(countWords("It's 3 o'clock — time for tea.")).toBe(6);
  });
});

describe('formatPageDetails', () => {
  const T = Date.UTC(2026, 10, 3, 12);
  it('shows the creation date, a relative edit time and the word count', () => {
    expect(formatPageDetails({ createdAt: T, updatedAt: T }, 123, T + 2 * 60_000, 'en-GB')).toBe('Created 3 Nov 2026 · Edited 2 min ago · 123 words');
    expect(formatPageDetails({ createdAt: T, updatedAt: T }, 1, T, 'en-GB')).toBe('Created 3 Nov 2026 · Edited just now · 1 word');
    expect(formatEdited(T, T + 5 * 3_600_000, 'en-GB')).toBe('Edited 5 h ago');
    expect(formatEdited(T, T + 3 * 86_400_000, 'en-GB')).toBe('Edited 3 Nov 2026');
  });
});
