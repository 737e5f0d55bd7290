/**
 * One open space: its space document (the page tree, through `Space`), the page documents opened on
 * demand, and the layers they persist to. Created by SpaceManager; the UI holds it while the space is open.
 */
import * as Y from 'yjs';
import { asPersistenceError, ErrorCode, SpaceError, UpdateRejectedError, type QuireError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { isLocalStore, isTwoWay, SPACE_DOC_ID, type DocId, type IncomingUpdate, type LocalStore, type PersistenceLayer, type SpaceLayer } from '../persistence/PersistenceLayer.ts';
import { isSecretStore, mergedSecretStore, type SecretStore } from '../persistence/SecretStore.ts';
import { Space } from '../space/Space.ts';
import { DocSync, RETRY_INITIAL_MS, RETRY_MAX_MS } from './DocSync.ts';
import { loadFromLayers, missingFrom } from './loadDoc.ts';
import type { SaveStatus } from './SaveStatus.ts';

export interface HandleOptions {
  clock: Clock;
  status: SaveStatus;
  coalesceMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  loadTimeoutMs?: number;
}

/** A page document held open. `release()` when it is no longer shown; the last release flushes and closes it. */
export interface PageHandle {
  readonly pageId: string;
  readonly doc: Y.Doc;
  release(): Promise<void>;
}

interface OpenDoc {
  doc: Y.Doc;
  sync: DocSync;
  refs: number;
}

export class SpaceHandle {
  private readonly pages = new Map<string, OpenDoc>();
  private readonly opening = new Map<string, Promise<OpenDoc>>();
  /** Pages whose last handle was released and whose writes are being flushed before they are destroyed. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Per layer: its listeners, removed when the layer is detached (removeLayer). */
  private readonly layerListeners = new Map<SpaceLayer, (() => void)[]>();
  private readonly current: SpaceLayer[];
  /**
   * This device's secrets of the space (sync settings, keys), kept by its local stores that keep secrets
   * (the first store holding a key wins; a save goes to each). Never by a two-way layer.
   */
  readonly secrets: SecretStore;
  private closed = false;

  private constructor(
    readonly id: string,
    readonly space: Space,
    private readonly spaceSync: DocSync,
    layers: readonly SpaceLayer[],
    private readonly opts: HandleOptions,
  ) {
    this.current = [...layers];
    this.secrets = mergedSecretStore(layers.filter(isLocalStore).filter(isSecretStore));
    for (const l of layers) this.listen(l);
    // A page deleted forever elsewhere (another tab, another device) must not be written again here: its
    // copy is dropped like this tab's own deletePageForever drops it, or its next save would recreate the
    // database the other side just deleted. Changes to it still being typed here go with the page.
    this.unsubscribe.push(
      space.observe((changes, origin) => {
        if (origin !== 'remote') return;
        // The document itself is left to its views (they may still show it while they learn of the
        // deletion); it is no longer bound to any layer.
        for (const c of changes) if (c.type === 'page-deleted') this.dropPage(c.pageId, false);
      }),
    );
  }

  /** The layers of this space, in priority order (two-way layers may come and go: addLayer, removeLayer). */
  get layers(): readonly SpaceLayer[] {
    return this.current;
  }

  private listen(l: SpaceLayer): void {
    const opts = this.opts;
    const id = this.id;
    const off: (() => void)[] = [];
    if (isTwoWay(l)) {
      off.push(l.subscribe((u) => this.incoming(l, u)));
      // A refused message is a one-off (reported, nothing changed); anything else is the connection
      // failing, a streak that lasts until the layer works again.
      off.push(
        l.onError((e) =>
          e.code === ErrorCode.InvalidUpdate || e.code === ErrorCode.VersionTooNew
            ? opts.status.reportError(e, e.docId ?? null, l.name)
            : opts.status.layerFailed(l.name, e, `${id}/connection`),
        ),
      );
    } else if (l.onError) {
      // Background work of a local store (compaction) failed: nothing was lost, but the user is told. For
      // an open document it joins that document's failing streak, which its next good write ends.
      off.push(
        l.onError((e) => {
          const docId = e.docId;
          if (docId !== undefined && this.syncOf(docId)) opts.status.layerFailed(l.name, e, `${id}/${docId}`, docId);
          else opts.status.reportError(e, docId ?? null, l.name);
        }),
      );
    }
    this.layerListeners.set(l, off);
  }

  /**
   * Attaches a two-way layer (a relay) to this open space: the space document and every open page are
   * followed through it at once ("Start syncing" needs no reopen). Pages opened later get it like the
   * others. Rejects a one-way layer (a store must load before its document opens) and a duplicate name.
   */
  addLayer(layer: SpaceLayer): void {
    this.assertOpen();
    if (!isTwoWay(layer)) throw new SpaceError(ErrorCode.InvalidOperation, `Only a two-way layer can be added to an open space (${layer.name} is one-way)`);
    if (this.current.some((l) => l.name === layer.name)) throw new SpaceError(ErrorCode.InvalidOperation, `Space ${this.id} already has a layer named ${layer.name}`);
    this.current.push(layer);
    this.opts.status.addLayer(layer.name, layer.direction, layer.remote === true);
    this.listen(layer);
    this.spaceSync.addLayer(layer);
    for (const p of this.pages.values()) p.sync.addLayer(layer);
  }

  /**
   * Detaches a two-way layer from this open space ("Stop syncing"): every document stops following it,
   * what was queued for it is dropped (the local stores hold everything), its status entry goes, and the
   * layer is closed. Resolves when it is closed; unknown names resolve at once.
   */
  async removeLayer(name: string): Promise<void> {
    const layer = this.current.find((l) => l.name === name);
    if (!layer) return;
    if (!isTwoWay(layer)) throw new SpaceError(ErrorCode.InvalidOperation, `Only a two-way layer can be removed from an open space (${name} is one-way)`);
    this.current.splice(this.current.indexOf(layer), 1);
    for (const off of this.layerListeners.get(layer) ?? []) off();
    this.layerListeners.delete(layer);
    this.spaceSync.removeLayer(layer);
    for (const p of this.pages.values()) p.sync.removeLayer(layer);
    this.opts.status.removeLayer(name);
    await layer.close();
  }

  /** Brings a document opened with an older set of layers up to the current one (a layer was added or
   * removed while it loaded). */
  private reconcileLayers(sync: DocSync): void {
    for (const l of sync.boundLayers()) if (!this.current.some((c) => c === l)) sync.removeLayer(l);
    for (const l of this.current) if (!sync.hasLayer(l)) sync.addLayer(l);
  }

  private dropPage(pageId: string, destroy: boolean): void {
    const open = this.pages.get(pageId);
    if (!open) return;
    open.sync.detach();
    if (destroy) open.doc.destroy();
    this.pages.delete(pageId);
  }

  /** Opens (or creates, when `init` is given and no layer has it) the space document and binds it. */
  static async open(
    id: string,
    layers: readonly SpaceLayer[],
    opts: HandleOptions,
    init?: { name: string; icon?: string | null },
  ): Promise<SpaceHandle> {
    for (const l of layers) opts.status.addLayer(l.name, l.direction, l.remote === true);
    const { doc, sync, exists, failed } = await openDoc(id, SPACE_DOC_ID, layers, opts);
    let space: Space;
    if (init) {
      if (exists) {
        sync.detach();
        throw new SpaceError(ErrorCode.InvalidOperation, `A space with id ${id} already exists`);
      }
      space = Space.create(doc, { id, name: init.name, icon: init.icon ?? null, now: () => opts.clock.now() });
    } else {
      if (!exists) {
        sync.detach();
        // The layer that could not be asked (a relay out of reach, or one that refused) may be the one that
        // holds it: the cause lets the caller tell "not there" from "could not look".
        throw new SpaceError(ErrorCode.NotFound, `No layer holds a space with id ${id}`, failed ? { cause: failed } : undefined);
      }
      space = new Space(doc, { id, now: () => opts.clock.now() });
    }
    return new SpaceHandle(id, space, sync, layers, opts);
  }

  /** The save status this space reports to (shared by the manager's spaces). */
  get status(): SaveStatus {
    return this.opts.status;
  }

  get doc(): Y.Doc {
    return this.space.doc;
  }

  /** Opens a page's document (loading it from every layer), or returns the one already open. */
  async openPage(pageId: string): Promise<PageHandle> {
    this.assertOpen();
    if (!this.space.getPage(pageId)) throw new SpaceError(ErrorCode.NotFound, `No page ${pageId} in space ${this.id}`);
    let open = this.pages.get(pageId);
    if (!open) {
      // A page reopened while its previous copy is still being flushed waits for it, so the new copy
      // loads everything the old one wrote.
      await this.closing.get(pageId)?.catch(() => undefined);
      open = this.pages.get(pageId);
    }
    if (!open) {
      let pending = this.opening.get(pageId);
      if (!pending) {
        pending = openDoc(this.id, pageId, [...this.current], this.opts).then(({ doc, sync }) => ({ doc, sync, refs: 0 }));
        this.opening.set(pageId, pending);
      }
      try {
        open = await pending;
      } finally {
        this.opening.delete(pageId);
      }
      if (this.closed) {
        open.sync.detach();
        throw new SpaceError(ErrorCode.Closed, `Space ${this.id} was closed while page ${pageId} was opening`);
      }
      const existing = this.pages.get(pageId);
      if (existing) open = existing;
      else {
        this.reconcileLayers(open.sync);
        this.pages.set(pageId, open);
      }
    }
    open.refs++;
    const o = open;
    let released = false;
    return {
      pageId,
      doc: o.doc,
      release: async () => {
        if (released) return;
        released = true;
        if (--o.refs > 0 || this.pages.get(pageId) !== o) return;
        // Leave the open set first: from now on no remote update is applied to this copy (a two-way layer
        // delivers it again when the page is next followed), so nothing can arrive after the final flush
        // and be thrown away with the copy.
        this.pages.delete(pageId);
        const closing = o.sync.close().then(
          () => o.doc.destroy(),
          (e: unknown) => {
            // The final flush failed: keep the copy open (its writes are retried) rather than drop them.
            if (!this.pages.has(pageId) && !this.closed) this.pages.set(pageId, o);
            throw e;
          },
        );
        this.closing.set(pageId, closing);
        try {
          await closing;
        } finally {
          if (this.closing.get(pageId) === closing) this.closing.delete(pageId);
        }
      },
    };
  }

  /** Page documents currently open. */
  openPageIds(): string[] {
    return [...this.pages.keys()];
  }

  /** The DocSync of an open document (the space document when `docId` is SPACE_DOC_ID). */
  syncOf(docId: DocId): DocSync | undefined {
    return docId === SPACE_DOC_ID ? this.spaceSync : this.pages.get(docId)?.sync;
  }

  /**
   * Deletes a page and its sub-pages forever: the records leave the tree (made durable first), then
   * their documents are removed from every local store (a two-way layer keeps none of ours to remove: the
   * deletion reaches the far side through the space document). A crash in between leaves only
   * unreferenced documents.
   */
  async deletePageForever(pageId: string): Promise<string[]> {
    this.assertOpen();
    const ids = this.space.deletePageForever(pageId);
    await this.spaceSync.flush();
    for (const id of ids) this.dropPage(id, true);
    const results = await Promise.allSettled(this.layers.filter(isLocalStore).map((l) => this.deleteDocs(l, ids)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return ids;
  }

  /**
   * Deletes documents from one local store. A failure is reported (once per failing streak) and retried with
   * backoff until it succeeds, counted as pending meanwhile, so the status never rests on an error
   * nothing will clear. The first attempt's outcome is returned.
   */
  private deleteDocs(layer: LocalStore, ids: readonly string[], attempt = 0): Promise<void> {
    const key = `${this.id}/delete:${ids[0] ?? ''}`;
    this.opts.status.setPending(layer.name, key, ids.length);
    const ticket = this.opts.status.ticket();
    return Promise.all(ids.map((id) => layer.deleteDoc(id))).then(
      () => {
        this.opts.status.setPending(layer.name, key, 0);
        this.opts.status.layerRecovered(layer.name, key, ticket);
      },
      (e: unknown) => {
        const error = asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: layer.name, docId: ids[0] });
        this.opts.status.layerFailed(layer.name, error, key, ids[0] ?? null);
        if (!this.closed) {
          const delay = Math.min(this.opts.retryMaxMs ?? RETRY_MAX_MS, (this.opts.retryInitialMs ?? RETRY_INITIAL_MS) * 2 ** attempt);
          this.opts.clock.setTimeout(() => {
            if (!this.closed) this.deleteDocs(layer, ids, attempt + 1).catch(() => undefined);
          }, delay);
        }
        throw error;
      },
    );
  }

  /** Writes everything pending for the space and its open pages; resolves when every layer acknowledged. */
  async flush(): Promise<void> {
    await Promise.all([this.spaceSync.flush(), ...[...this.pages.values()].map((p) => p.sync.flush()), ...this.closing.values()]);
  }

  /**
   * Reports a failure of work done beside the documents' own saves (the copies of duplicatePages.ts):
   * one error event, nothing left pending, so the status does not rest on an error nothing will clear.
   */
  reportError(error: QuireError, docId: DocId | null, layer: string | null): void {
    this.opts.status.reportError(error, docId, layer);
  }

  /** Flushes everything, then releases documents and layers. Rejects, keeping everything open, if a flush fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.unlistenAll();
    for (const p of this.pages.values()) {
      p.sync.detach();
      p.doc.destroy();
    }
    this.pages.clear();
    this.spaceSync.detach();
    this.space.doc.destroy();
    await Promise.all(this.layers.map((l) => l.close()));
  }

  /** Releases without flushing: the space is being deleted. */
  async abandon(): Promise<void> {
    this.closed = true;
    this.unlistenAll();
    for (const p of this.pages.values()) p.sync.detach();
    this.pages.clear();
    this.spaceSync.detach();
    await Promise.allSettled(this.layers.map((l) => l.close()));
  }

  private unlistenAll(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const off of this.layerListeners.values()) for (const u of off) u();
    this.layerListeners.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private incoming(layer: PersistenceLayer, u: IncomingUpdate): void {
    const sync = this.syncOf(u.docId);
    if (!sync) return; // not open here: the layer delivers it again when the document is followed
    try {
      sync.applyRemote(u.update, layer);
    } catch (e) {
      if (!(e instanceof UpdateRejectedError)) throw e;
      this.opts.status.reportError(e, u.docId, layer.name);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SpaceError(ErrorCode.Closed, `Space ${this.id} is closed`);
  }
}

async function openDoc(spaceId: string, docId: DocId, layers: readonly SpaceLayer[], opts: HandleOptions) {
  const guid = docId === SPACE_DOC_ID ? spaceId : docId;
  const loaded = await loadFromLayers(docId, layers, () => new Y.Doc({ guid }), {
    clock: opts.clock,
    status: opts.status,
    statusKey: `${spaceId}/${docId}`,
    timeoutMs: opts.loadTimeoutMs,
  });
  const sync = new DocSync(loaded.doc, docId, layers, {
    clock: opts.clock,
    status: opts.status,
    statusKey: `${spaceId}/${docId}`,
    coalesceMs: opts.coalesceMs,
    retryInitialMs: opts.retryInitialMs,
    retryMaxMs: opts.retryMaxMs,
  });
  const contributors = loaded.loads.filter((l) => l.rows && l.rows.length > 0);
  for (const l of loaded.loads) {
    if (isTwoWay(l.layer)) {
      // Followed with the live document as its source: the far side's "what do you have that I lack" is
      // answered from it. A layer whose load returned rows is also queued what it lacks of them.
      l.layer.follow(docId, Y.encodeStateVector(loaded.doc), sync.source);
      if (l.rows && l.rows.length > 0) {
        const missing = missingFrom(loaded.doc, l.rows);
        if (missing) sync.backfill(l.layer, missing);
      }
      continue;
    }
    // A layer that failed to load gets the whole state (it is retried until it takes it); a layer that
    // loaded gets only what it lacks. Idempotent either way: Yjs ignores what a store already holds.
    // The common case (one local store that holds everything) costs nothing here.
    const soleSource = l.rows !== null && contributors.every((c) => c === l);
    if (soleSource) continue;
    const missing = l.rows ? missingFrom(loaded.doc, l.rows) : loaded.doc.store.clients.size > 0 ? Y.encodeStateAsUpdate(loaded.doc) : null;
    if (missing) sync.backfill(l.layer, missing);
  }
  return { doc: loaded.doc, sync, exists: loaded.exists, failed: loaded.loads.find((l) => l.error)?.error ?? null };
}
