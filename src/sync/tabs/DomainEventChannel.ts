/**
 * The domain-event bus between the tabs of one browser: one BroadcastChannel, `quire:events`, carrying
 * the format of core/events/DomainEvent.ts. Validation runs on both sides: `publish` refuses an invalid
 * event before it leaves (a bug here must not reach other tabs), and every received message is parsed
 * before any listener sees it; a message that fails is handed to the `onInvalid` listeners (with its typed
 * error) and never acted on.
 */
import type { PersistenceError } from '../../core/errors.ts';
import { Listeners } from '../../core/Listeners.ts';
import { DOMAIN_EVENT_VERSION, parseDomainEvent, type DomainEvent, type DomainEventInit, type DomainEventSink } from '../../core/events/DomainEvent.ts';

export const DOMAIN_EVENT_CHANNEL = 'quire:events';

export class DomainEventChannel implements DomainEventSink {
  private readonly channel: BroadcastChannel;
  private readonly listeners = new Listeners<DomainEvent>();
  private readonly invalidListeners = new Listeners<PersistenceError>();

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
    return this.listeners.add(listener);
  }

  /** Messages that failed validation (not acted on). */
  onInvalid(listener: (error: PersistenceError) => void): () => void {
    return this.invalidListeners.add(listener);
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
      this.invalidListeners.emit(e as PersistenceError);
      return;
    }
    if (event.source === this.tabId) return; // our own, echoed by a second channel of this tab
    this.listeners.emit(event);
  }
}
