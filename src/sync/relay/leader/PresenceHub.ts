/**
 * The leader's presence of one page of a synced space (Yjs awareness, never persisted). A RelayLayer
 * carries one Awareness per document (`attachAwareness`), but several local awarenesses want that page:
 * the leader tab's own editor and every follower tab showing it. So the leader attaches one hub Awareness
 * (no state of its own) to its relay layer and joins the local ones into it:
 *
 * - a local source (the leader's editor, or a follower tab through 'awareness' messages) puts its own
 *   client's state into the hub; the relay layer sends it to the other devices;
 * - the other devices' states arriving in the hub go to every local source, never another local source's
 *   own state (a second tab of this browser is not another person).
 *
 * A follower tab that dies is dropped through `dropSource` (the leader watches its lifetime lock).
 */
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { Listeners } from '../../../core/Listeners.ts';

/** The origin of states the hub applies to a local awareness, so they are not sent back. */
export const FROM_HUB = Symbol('presence hub');

interface Changes {
  added: number[];
  updated: number[];
  removed: number[];
}

export class PresenceHub {
  private readonly doc = new Y.Doc();
  readonly awareness = new Awareness(this.doc);
  /** Per local source (a follower tab, or one of the leader's editors), the clients it put here. */
  private readonly local = new Map<string, Set<number>>();
  /** The leader's own editors: they receive other devices' states directly. */
  private readonly sinks = new Listeners<Uint8Array>();
  private readonly detachLayer: () => void;
  private editors = 0;
  private ended = false;

  /**
   * @param attach attaches the hub to the relay layer (RelayLayer.attachAwareness for the page)
   * @param broadcast sends other devices' states to the follower tabs
   */
  constructor(
    attach: (awareness: Awareness) => () => void,
    private readonly broadcast: (update: Uint8Array) => void,
  ) {
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onUpdate);
    this.detachLayer = attach(this.awareness);
  }

  /** No local source has a client here any more: the hub may end. */
  get idle(): boolean {
    return this.sinks.size === 0 && [...this.local.values()].every((c) => c.size === 0);
  }

  /** Applies a local source's update (its own client's state). Returns true when it added a client, which
   * then needs every other device's state (sent through `broadcast`). */
  apply(source: string, update: Uint8Array): boolean {
    let clients = this.local.get(source);
    if (!clients) this.local.set(source, (clients = new Set()));
    const before = clients.size;
    applyAwarenessUpdate(this.awareness, update, source);
    const added = clients.size > before;
    if (added) {
      const full = this.remoteState();
      if (full) this.broadcast(full);
    }
    return added;
  }

  /** A source is gone (its tab closed or died): its clients leave the other devices now. */
  dropSource(source: string): void {
    const clients = this.local.get(source);
    if (!clients) return;
    removeAwarenessStates(this.awareness, [...clients], source);
    this.local.delete(source);
  }

  /** Joins one of the leader's own editors' awareness to the hub. Returns the detach. */
  attachEditor(editor: Awareness): () => void {
    const source = `editor:${++this.editors}`;
    this.local.set(source, new Set());
    const push = () => applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(editor, [editor.clientID]), source);
    const onEditor = ({ added, updated, removed }: Changes, origin: unknown) => {
      if (origin === FROM_HUB || this.ended) return;
      if ([...added, ...updated, ...removed].includes(editor.clientID)) push();
    };
    const sink = (update: Uint8Array) => applyAwarenessUpdate(editor, update, FROM_HUB);
    editor.on('update', onEditor);
    const offSink = this.sinks.add(sink);
    let attached = true;
    push();
    const full = this.remoteState();
    if (full) sink(full);
    return () => {
      editor.off('update', onEditor);
      if (!attached) return;
      attached = false;
      offSink();
      if (this.ended) return;
      // Encoded against an empty state map: the others drop this editor's caret now, not after a timeout.
      applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(editor, [editor.clientID], new Map()), source);
      this.local.delete(source);
    };
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.awareness.off('update', this.onUpdate);
    this.detachLayer();
    this.awareness.destroy();
    this.doc.destroy();
  }

  /** Every other device's state, or null when there is none. */
  private remoteState(): Uint8Array | null {
    const remote = [...this.awareness.getStates().keys()].filter((c) => !this.isLocal(c) && c !== this.awareness.clientID);
    return remote.length > 0 ? encodeAwarenessUpdate(this.awareness, remote) : null;
  }

  private isLocal(client: number): boolean {
    for (const clients of this.local.values()) if (clients.has(client)) return true;
    return false;
  }

  private readonly onUpdate = ({ added, updated, removed }: Changes, origin: unknown) => {
    const clients = typeof origin === 'string' ? this.local.get(origin) : undefined;
    if (clients) {
      for (const c of [...added, ...updated]) clients.add(c);
      for (const c of removed) clients.delete(c);
      return; // a local source's own state goes to the relay (the layer listens), not to other tabs
    }
    const remote = [...added, ...updated, ...removed].filter((c) => !this.isLocal(c) && c !== this.awareness.clientID);
    if (remote.length === 0) return;
    const update = encodeAwarenessUpdate(this.awareness, remote);
    this.broadcast(update);
    this.sinks.emit(update);
  };
}
