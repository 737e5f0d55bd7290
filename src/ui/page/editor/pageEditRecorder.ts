/**
 * What a local content edit writes into the space document besides the page's own document: the page's
 * outgoing links (Space.setPageLinks, debounced, and idempotent so an unchanged list writes nothing) and
 * its updatedAt (Space.touchPage, at most once per TOUCH_THROTTLE_MS per page, so typing does not grow the
 * space document per keystroke). Pending work is written at once when the editor goes away.
 */
import { systemClock, type Clock } from '../../../core/clock.ts';
import type { Space } from '../../../core/space/Space.ts';

/** At most one touchPage per page in this window; the last edit of a burst is still recorded, at its end. */
export const TOUCH_THROTTLE_MS = 30_000;
/** Quiet time after the last edit before the outgoing links are recomputed and recorded. */
export const LINKS_DEBOUNCE_MS = 1_000;

/** When each page was last touched by this tab (per page, across editors opened and closed). */
const lastTouched = new Map<string, number>();

export class PageEditRecorder {
  private touchTimer: unknown = null;
  private linksTimer: unknown = null;
  private readLinks: (() => string[]) | null = null;

  constructor(
    private readonly space: Space,
    private readonly pageId: string,
    /** Time and timers, through the core's seam (tests pass a manual clock). */
    private readonly clock: Clock = systemClock,
  ) {}

  /** A local edit of the page's content happened; `links` reads the document's link targets when due. */
  contentChanged(links: () => string[]): void {
    this.readLinks = links;
    if (this.linksTimer !== null) this.clock.clearTimeout(this.linksTimer);
    this.linksTimer = this.clock.setTimeout(() => this.writeLinks(), LINKS_DEBOUNCE_MS);
    if (this.touchTimer !== null) return;
    const key = this.key();
    const wait = (lastTouched.get(key) ?? -Infinity) + TOUCH_THROTTLE_MS - this.clock.now();
    if (wait <= 0) this.touch();
    else this.touchTimer = this.clock.setTimeout(() => this.touch(), wait);
  }

  /** Writes what is pending now (the editor is closing). */
  flush(): void {
    if (this.linksTimer !== null) this.writeLinks();
    if (this.touchTimer !== null) this.touch();
  }

  private key(): string {
    return `${this.space.id}\u0000${this.pageId}`;
  }

  private touch(): void {
    if (this.touchTimer !== null) this.clock.clearTimeout(this.touchTimer);
    this.touchTimer = null;
    lastTouched.set(this.key(), this.clock.now());
    this.safely(() => this.space.touchPage(this.pageId));
  }

  private writeLinks(): void {
    if (this.linksTimer !== null) this.clock.clearTimeout(this.linksTimer);
    this.linksTimer = null;
    const read = this.readLinks;
    if (read) this.safely(() => this.space.setPageLinks(this.pageId, read()));
  }

  /** The page may have been deleted or the space closed meanwhile: then there is nothing to record. */
  private safely(write: () => void): void {
    try {
      write();
    } catch {
      // The view says so on its next render; the content itself is in the page's own document.
    }
  }
}
