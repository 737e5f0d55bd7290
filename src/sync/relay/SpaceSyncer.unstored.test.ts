/**
 * "Not yet stored by the relay", durably, against the REAL relay process: a page the relay refused (its
 * document grew past the relay's size cap) puts the relay layer's queue of that page into DocSync's retry
 * backoff; what is typed there meanwhile is stored on this device but never handed to the relay. The tab
 * then dies (no clean close, nothing flushed to the relay; the local store and the sync-state database keep
 * what they hold). The next session, with the relay's cap raised, must get it to the relay through the
 * background sync alone, without that page being opened by anyone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { PersistenceError } from '../../core/errors.ts';
import { MemoryLayer, MemoryStore } from '../../core/persistence/MemoryLayer.ts';
import { SpaceManager } from '../../core/manager/SpaceManager.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { RelayRefusalError } from '../../protocol/closeReason.ts';
import { RELAY_DB_FILE, startRelayProcess, type RelayProcess } from '../../../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../../../relay/testing/testSpace.ts';
import { IndexedDbSyncStateStore } from './IndexedDbSyncStateStore.ts';
import { RelayConnectionPool, type WebSocketConstructor } from './RelayConnection.ts';
import { RelayLayer } from './RelayLayer.ts';
import { SpaceSyncer } from './SpaceSyncer.ts';
import { MemorySyncStateStore, syncStateKey, type SyncStateStore } from './SyncStateStore.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
const SPACE = 'backoff';
const PAGE = 'p1';
/** The relay's document cap in the first session: small, so one paste crosses it. */
const SMALL_CAP_BYTES = 20_000;
/** Stores 20 ms after the last change (default 1 s): the test waits on stores. */
const RELAY_ENV = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '20', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };
/** Keystrokes of the write-cost test, each its own update to the relay (the relay layer is immediate). */
const KEYSTROKES = 200;
const fast = { coalesceMs: 5, retryInitialMs: 50, retryMaxMs: 500 };
const until = (check: () => void | Promise<void>, timeout = 30_000) => vi.waitFor(check, { timeout, interval: 50 });

const dataDir = mkdtempSync(join(tmpdir(), 'quire-unstored-'));
const relays: RelayProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
  for (const r of relays) await r.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the relay stored of a page's body, read straight from its SQLite file (null: nothing stored). */
function storedBody(pageId: string): string | null {
  const db = new Database(join(dataDir, RELAY_DB_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT data FROM documents WHERE name = ?').get(`${SPACE}/${pageId}`) as { data: Uint8Array } | undefined;
    if (!row) return null;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, row.data);
    return doc.getText('body').toString();
  } finally {
    db.close();
  }
}

interface Session {
  manager: SpaceManager;
  handle: SpaceHandle;
  layer: RelayLayer;
  syncer: SpaceSyncer;
  errors: PersistenceError[];
}

/** The in-memory sync state, counting the mark writes that reach it. */
class CountingSyncState extends MemorySyncStateStore {
  puts = 0;
  deletes = 0;
  override addDirty(key: string, docIds: readonly string[]): Promise<void> {
    this.puts++;
    return super.addDirty(key, docIds);
  }
  override removeDirty(key: string, docIds: readonly string[]): Promise<void> {
    this.deletes++;
    return super.removeDirty(key, docIds);
  }
}

/** One session of the app on this device: the local store and the sync-state database outlive it. */
async function session(url: string, store: MemoryStore, syncState: IDBFactory | SyncStateStore): Promise<Session> {
  let layer: RelayLayer | null = null;
  const pool = new RelayConnectionPool({ WebSocket: WS, reconnectInitialMs: 50, reconnectMaxMs: 300 });
  const manager = new SpaceManager({
    layers: [(id) => new MemoryLayer(id, store), (id) => (layer = new RelayLayer({ url, spaceId: id, token: () => ownerTokenFor(id), pool }))],
    ...fast,
  });
  const handle = await manager.openSpace(SPACE);
  const errors: PersistenceError[] = [];
  layer!.onError((e) => errors.push(e));
  const state = syncState instanceof IDBFactory ? new IndexedDbSyncStateStore({ indexedDB: syncState, IDBKeyRange }) : syncState;
  const syncer = new SpaceSyncer(handle, layer!, { store: state, key: syncStateKey(url, SPACE), pollMs: 60_000 });
  return { manager, handle, layer: layer!, syncer, errors };
}

/** Creates the space with one page on this device only (no relay yet). */
async function createLocally(store: MemoryStore): Promise<void> {
  const local = new SpaceManager({ layers: [(id) => new MemoryLayer(id, store)], ...fast });
  const created = await local.createSpace({ id: SPACE, name: 'Backoff' });
  created.space.createPage({ id: PAGE, title: 'Page' });
  const p0 = await created.openPage(PAGE);
  p0.doc.getText('body').insert(0, 'before. ');
  await p0.release();
  await local.close();
}

describe('a change the relay layer never got (retry backoff), in a tab that died', () => {
  it('reaches the relay through the next session’s background sync, the page never opened', async () => {
    const first = await startRelayProcess(dataDir, { env: { ...RELAY_ENV, QUIRE_RELAY_MAX_DOCUMENT_BYTES: String(SMALL_CAP_BYTES) } });
    relays.push(first);
    const store = new MemoryStore();
    const indexedDB = new IDBFactory();

    // The space, with one page, exists on this device and (after a first full pass) on the relay.
    await createLocally(store);

    const a = await session(first.url, store, indexedDB);
    cleanups.push(() => a.manager.close());
    a.syncer.start();
    await until(() => expect(a.syncer.stats.passes).toBeGreaterThan(0));
    await a.syncer.kick();
    await until(() => expect(storedBody(PAGE)).toBe('before. '));

    // A paste past the relay's cap: the relay refuses the page, and DocSync's queue for the relay layer
    // goes into its retry backoff (each retry is refused at once while the refusal stands).
    const page = await a.handle.openPage(PAGE);
    page.doc.getText('body').insert(0, 'P'.repeat(SMALL_CAP_BYTES));
    await until(() => expect(a.errors.some((e) => e instanceof RelayRefusalError && e.reason === 'too-large')).toBe(true));
    // Typed during the backoff: stored on this device, never handed to the relay layer.
    page.doc.getText('body').insert(0, 'typed in backoff. ');
    await a.handle.syncOf(PAGE)!.flush({ remote: false });
    // A background pass runs meanwhile (as its 15 s poll would).
    await a.syncer.kick();

    // The tab dies: no release, no flush to the relay, no close; its socket just goes away.
    a.syncer.stop();
    await a.layer.close();
    expect(storedBody(PAGE)).toBe('before. ');

    // Next session: the relay's operator raised the cap (default now). Only the background sync runs.
    await first.stop('SIGTERM');
    const second = await startRelayProcess(dataDir, { port: first.port, env: RELAY_ENV });
    relays.push(second);
    const b = await session(second.url, store, indexedDB);
    cleanups.push(() => b.manager.close());
    b.syncer.start();
    await until(() => expect(b.syncer.stats.passes).toBeGreaterThan(0));
    await b.syncer.kick();
    expect(b.handle.openPageIds()).toEqual([]); // the background sync released what it opened
    // Compared by shape, not whole: a failure message with 20,000 characters of paste says nothing.
    const expected = `typed in backoff. ${'P'.repeat(SMALL_CAP_BYTES)}before. `;
    await until(() => expect(storedBody(PAGE)?.replace(/P{2,}/, (run) => `<${run.length} × P>`)).toBe(expected.replace(/P{2,}/, (run) => `<${run.length} × P>`)), 15_000);
    expect(b.syncer.stats.pagesSynced).toContain(PAGE);
    b.syncer.stop();
  }, 120_000);

  it(`writes the mark once per page per pass, not per keystroke (${KEYSTROKES} keystrokes, each sent to the relay)`, async () => {
    const relay = await startRelayProcess(dataDir, { env: RELAY_ENV });
    relays.push(relay);
    const store = new MemoryStore();
    await createLocally(store);
    const state = new CountingSyncState();
    const a = await session(relay.url, store, state);
    cleanups.push(() => a.manager.close());
    a.syncer.start();
    await until(() => expect(a.syncer.stats.passes).toBeGreaterThan(0));
    await a.syncer.kick();
    const page = await a.handle.openPage(PAGE);
    const typed = 'y'.repeat(KEYSTROKES);
    for (const [i, ch] of [...typed].entries()) {
      page.doc.getText('body').insert(i, ch);
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 1)); // the relay layer sends as it goes
    }
    await until(() => expect(a.layer.status().unstored).toBe(0));
    expect(state.puts).toBe(1);
    expect((await state.get(syncStateKey(relay.url, SPACE))).dirty).toEqual(new Set([PAGE]));
    // The next pass sees the page stored: the mark goes; the next change marks it again, once.
    await a.syncer.kick();
    expect((await state.get(syncStateKey(relay.url, SPACE))).dirty).toEqual(new Set());
    page.doc.getText('body').insert(0, 'more. ');
    page.doc.getText('body').insert(0, 'and more. ');
    expect([state.puts, state.deletes]).toEqual([2, 1]);
    await page.release();
    await a.syncer.kick();
    expect((await state.get(syncStateKey(relay.url, SPACE))).dirty).toEqual(new Set());
    a.syncer.stop();
    console.log(`unstored marks: ${KEYSTROKES + 2} changes sent to the relay over two passes wrote ${state.puts} marks and ${state.deletes} unmarks`);
  }, 120_000);
});
