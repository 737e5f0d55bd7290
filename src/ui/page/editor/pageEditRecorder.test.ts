/**
 * The timing policy of PageEditRecorder, on the core's ManualClock: time moves only when the test says so,
 * and the space stamps updatedAt with the same clock, so every expectation is an exact instant or count.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Space } from '../../../core/space/Space.ts';
import { ManualClock } from '../../../core/testing/ManualClock.ts';
import { LINKS_DEBOUNCE_MS, PageEditRecorder, TOUCH_THROTTLE_MS } from './pageEditRecorder.ts';

/** Where the tests' clock starts: far from 0, so a touch is told apart from the page's creation. */
const START = 1_000_000;

let spaces = 0;
/** A space of its own per test: the recorder remembers touches per (space, page) for the whole tab. */
function setup() {
  const clock = new ManualClock();
  clock.advance(START);
  const space = Space.create(new Y.Doc(), { id: `rec-${++spaces}`, name: 'S', now: () => clock.now() });
  const page = space.createPage({ title: 'p' });
  const target = space.createPage({ title: 't' });
  let spaceUpdates = 0;
  space.doc.on('update', () => spaceUpdates++);
  return { clock, space, page, target, updates: () => spaceUpdates };
}

describe('PageEditRecorder', () => {
  it('touches a page at most once per window, records the last edit of a burst, and links after a pause', () => {
    const { clock, space, page, target, updates } = setup();
    const recorder = new PageEditRecorder(space, page, clock);
    let links: string[] = [];
    // A burst of 100 keystrokes over 10 s: one touch now, one at the end of the window, links once.
    for (let i = 0; i < 100; i++) {
      recorder.contentChanged(() => links);
      clock.advance(100);
    }
    expect(space.getPage(page)!.updatedAt).toBe(START);
    links = [target];
    recorder.contentChanged(() => links);
    clock.advance(LINKS_DEBOUNCE_MS);
    expect(space.getPage(page)!.links).toEqual([target]);
    clock.advance(TOUCH_THROTTLE_MS);
    expect(space.getPage(page)!.updatedAt).toBe(START + TOUCH_THROTTLE_MS);
    // touch now, links once (the earlier link passes saw no links and wrote nothing), trailing touch.
    expect(updates()).toBe(3);
    expect(clock.pendingTimers).toBe(0);

    // Another editor of the same page (reopened) respects the same window; flush writes what is pending.
    const again = new PageEditRecorder(space, page, clock);
    clock.advance(1_000);
    links = [];
    again.contentChanged(() => links);
    expect(updates()).toBe(3);
    again.flush();
    expect(space.getPage(page)!.links).toEqual([]);
    expect(space.getPage(page)!.updatedAt).toBe(clock.now());
    expect(updates()).toBe(5);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reads the links only after LINKS_DEBOUNCE_MS without an edit', () => {
    const { clock, space, page, target } = setup();
    const recorder = new PageEditRecorder(space, page, clock);
    let reads = 0;
    const links = () => {
      reads++;
      return [target];
    };
    // Edits closer together than the debounce never let it run.
    for (let i = 0; i < 10; i++) {
      recorder.contentChanged(links);
      clock.advance(LINKS_DEBOUNCE_MS - 1);
    }
    expect(reads).toBe(0);
    clock.advance(1);
    expect(reads).toBe(1);
    expect(space.getPage(page)!.links).toEqual([target]);
  });

  it('the throttle is per page: another page is touched at once, the same page again only after the window', () => {
    const { clock, space, page, target } = setup();
    new PageEditRecorder(space, page, clock).contentChanged(() => []);
    clock.advance(1);
    new PageEditRecorder(space, target, clock).contentChanged(() => []);
    expect(space.getPage(page)!.updatedAt).toBe(START);
    expect(space.getPage(target)!.updatedAt).toBe(START + 1);

    // Once the window has passed with no edit, the next edit touches at once (no trailing wait).
    clock.advance(TOUCH_THROTTLE_MS);
    const recorder = new PageEditRecorder(space, page, clock);
    recorder.contentChanged(() => []);
    expect(space.getPage(page)!.updatedAt).toBe(START + 1 + TOUCH_THROTTLE_MS);
  });

  it('records nothing for a page deleted meanwhile, and throws nothing', () => {
    const { clock, space, page, target, updates } = setup();
    const recorder = new PageEditRecorder(space, page, clock);
    recorder.contentChanged(() => [target]);
    clock.advance(1);
    recorder.contentChanged(() => [target]); // a trailing touch and a links pass are now pending
    expect(clock.pendingTimers).toBe(2);
    space.deletePageForever(page);
    const before = updates();
    expect(() => clock.advance(TOUCH_THROTTLE_MS)).not.toThrow();
    expect(() => recorder.flush()).not.toThrow();
    expect(updates()).toBe(before);
  });
});
