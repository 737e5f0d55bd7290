import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Space } from '../../core/space/Space.ts';
import { countWords } from './editor/countWords.ts';
import { formatEdited, formatPageDetails } from './formatPageDetails.ts';
import { LINKS_DEBOUNCE_MS, PageEditRecorder, TOUCH_THROTTLE_MS } from './editor/pageEditRecorder.ts';

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

describe('PageEditRecorder', () => {
  afterEach(() => vi.useRealTimers());

  it('touches a page at most once per window, records the last edit of a burst, and links after a pause', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const space = Space.create(new Y.Doc(), { id: 'rec', name: 'S' });
    const page = space.createPage({ title: 'p' });
    const target = space.createPage({ title: 't' });
    let spaceUpdates = 0;
    space.doc.on('update', () => spaceUpdates++);
    const recorder = new PageEditRecorder(space, page);
    let links: string[] = [];
    // A burst of 100 keystrokes over 10 s: one touch now, one at the end of the window, links once.
    for (let i = 0; i < 100; i++) {
      recorder.contentChanged(() => links);
      vi.advanceTimersByTime(100);
    }
    expect(space.getPage(page)!.updatedAt).toBe(1_000_000);
    links = [target];
    recorder.contentChanged(() => links);
    vi.advanceTimersByTime(LINKS_DEBOUNCE_MS);
    expect(space.getPage(page)!.links).toEqual([target]);
    vi.advanceTimersByTime(TOUCH_THROTTLE_MS);
    expect(space.getPage(page)!.updatedAt).toBe(1_000_000 + TOUCH_THROTTLE_MS);
    // touch now, links once (the earlier link passes saw no links and wrote nothing), trailing touch.
    expect(spaceUpdates).toBe(3);

    // Another editor of the same page (reopened) respects the same window; flush writes what is pending.
    const again = new PageEditRecorder(space, page);
    vi.advanceTimersByTime(1_000);
    links = [];
    again.contentChanged(() => links);
    expect(spaceUpdates).toBe(3);
    again.flush();
    expect(space.getPage(page)!.links).toEqual([]);
    expect(space.getPage(page)!.updatedAt).toBe(Date.now());
    expect(spaceUpdates).toBe(5);
  });
});
