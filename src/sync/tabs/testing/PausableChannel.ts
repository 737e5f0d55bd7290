/**
 * A tab's end of the real BroadcastChannel whose deliveries can be held back, for tests: while paused,
 * what other tabs post to this tab waits, as it does for a tab that has not yet run the task delivering it
 * (a starved CPU, a tab the browser froze). Closing it (the tab crashed or closed) drops what is waiting,
 * as a dead tab never reads its queue. What this tab posts goes out at once.
 */
import type { TabChannel } from '../TabChannelLayer.ts';

export class PausableChannel implements TabChannel {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  private readonly inner: BroadcastChannel;
  private waiting: MessageEvent[] | null = null;

  constructor(name: string) {
    this.inner = new BroadcastChannel(name);
    this.inner.onmessage = (e) => (this.waiting ? this.waiting.push(e) : this.onmessage?.(e));
    this.inner.onmessageerror = (e) => this.onmessageerror?.(e);
  }

  postMessage(message: unknown): void {
    this.inner.postMessage(message);
  }

  close(): void {
    this.waiting = null;
    this.inner.onmessage = null;
    this.inner.onmessageerror = null;
    this.inner.close();
  }

  /** Holds back deliveries to this tab from now on. */
  pause(): void {
    this.waiting ??= [];
  }

  /** Delivers what waited, in order, then delivers as it arrives. */
  resume(): void {
    const waiting = this.waiting ?? [];
    this.waiting = null;
    for (const e of waiting) this.onmessage?.(e);
  }
}
