/**
 * The domain-event bus between the tabs of one browser: one BroadcastChannel, `quire:events`, carrying
 * the format of core/events/DomainEvent.ts. Validation runs on both sides: `publish` refuses an invalid
 * event before it leaves (a bug here must not reach other tabs), and every received message is parsed
 * before any listener sees it; a message that fails is handed to the `onInvalid` listeners (with its typed
 * error) and never acted on.
 */
import type { PersistenceError } from '../../core/errors.ts';
import { DOMAIN_EVENT_VERSION, parseDomainEvent, type DomainEvent, type DomainEventInit, type DomainEventSink } from '../../core/events/DomainEvent.ts';

export const DOMAIN_EVENT_CHANNEL = 'quire:events';

export class DomainEventChannel implements DomainEventSink {
  private readonly channel: BroadcastChannel;
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  private readonly invalidListeners = new Set<(error: PersistenceError) => void>();

  constructor(
    /** This tab's id: the `source` of what it publishes. */
    readonly tabId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.channel = new BroadcastChannel(DOMAIN_EVENT_CHANNEL);
    this.channel.onmessage = (message: MessageEvent<unknown>) => this.receive(message.data);
  }

  /** Validates, then broadcasts to the other tabs. Throws the typed error for an invalid event. */
  publish(event: DomainEventInit): void {
    const checked = parseDomainEvent({ ...event, v: DOMAIN_EVENT_VERSION, source: this.tabId, at: this.now() });
    this.channel.postMessage(checked);
  }

  /** Events from other tabs, validated. */
  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Messages that failed validation (not acted on). */
  onInvalid(listener: (error: PersistenceError) => void): () => void {
    this.invalidListeners.add(listener);
    return () => this.invalidListeners.delete(listener);
  }

  close(): void {
    this.channel.close();
    this.listeners.clear();
    this.invalidListeners.clear();
  }

  private receive(data: unknown): void {
    let event: DomainEvent;
    try {
      event = parseDomainEvent(data);
    } catch (e) {
      for (const l of [...this.invalidListeners]) l(e as PersistenceError);
      return;
    }
    if (event.source === this.tabId) return; // our own, echoed by a second channel of this tab
    for (const l of [...this.listeners]) l(event);
  }
}
