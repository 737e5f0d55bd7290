/**
 * The relay layer against the REAL relay process on loopback: a save resolves only once the relay
 * stored it (and survives the relay being killed between apply and store), a refused document is detached
 * while another keeps syncing, a load fails fast while the relay is unreachable, and two spaces managers
 * sync a page live through it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { MemoryLayer, MemoryStore } from '../../core/persistence/MemoryLayer.ts';
import { SpaceManager } from '../../core/manager/SpaceManager.ts';
import { typingUpdates } from '../../core/testing/persistenceContract.ts';
import { RELAY_DB_FILE, startRelayProcess, type RelayProcess } from '../../../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../../../relay/testing/testSpace.ts';
import { RelayConnectionPool, type WebSocketConstructor } from './RelayConnection.ts';
import { RelayLayer, type RelaySyncStatus } from './RelayLayer.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
/** How long a change may take to cross the relay (store debounce 1 s, max 5 s) before the test calls it lost. */
const SYNC_TIMEOUT_MS = 15_000;
const until = (check: () => void) => vi.waitFor(check, { timeout: SYNC_TIMEOUT_MS, interval: 20 });

let dataDir: string;
const relays: RelayProcess[] = [];
const layers: RelayLayer[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'quire-relay-layer-'));
});
afterEach(async () => {
  await Promise.allSettled(layers.splice(0).map((l) => l.close()));
  for (const r of relays.splice(0)) await r.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function relay(port?: number): Promise<RelayProcess> {
  const r = await startRelayProcess(dataDir, { port });
  relays.push(r);
  return r;
}
function layer(url: string, spaceId = 's', pool = new RelayConnectionPool({ WebSocket: WS, reconnectInitialMs: 50, reconnectMaxMs: 500 })): RelayLayer {
  const l = new RelayLayer({ url, spaceId, token: () => ownerTokenFor(spaceId), pool });
  layers.push(l);
  return l;
}
/** What the relay stored for a document, read straight from its SQLite file. */
function storedText(name: string, key = 't'): string | null {
  const db = new Database(join(dataDir, RELAY_DB_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT data FROM documents WHERE name = ?').get(name) as { data: Uint8Array } | undefined;
    if (!row) return null;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, row.data);
    return doc.getText(key).toString();
  } finally {
    db.close();
  }
}
const settledState = <T>(p: Promise<T>) => {
  const s = { done: false, error: null as unknown };
  p.then(
    () => (s.done = true),
    (e: unknown) => (s.error = e),
  );
  return s;
};

describe('RelayLayer against the real relay', () => {
  it('resolves a save only once the relay stored it; the status counts it unstored until then', async () => {
    const r = await relay();
    const l = layer(r.url);
    const statuses: RelaySyncStatus[] = [];
    l.onStatus((s) => statuses.push(s));
    const [u] = typingUpdates('x');
    const saving = settledState(l.save('p1', u!));
    await until(() => expect(l.status().unstored).toBe(1));
    // Applied in memory quickly, stored only after the relay's debounce (1 s): not yet resolved.
    await new Promise((res) => setTimeout(res, 300));
    expect(saving.done).toBe(false);
    await until(() => expect(saving.done).toBe(true));
    expect(storedText('s/p1')).toBe('x'); // the row holds it when the save resolves
    expect(l.status().unstored).toBe(0);
    expect(statuses.some((s) => s.unstored === 1)).toBe(true);
  });

  it('a save waiting for its acknowledgement survives the relay being killed before it stored: re-sent after the restart, then resolved', async () => {
    const r = await relay();
    const l = layer(r.url);
    await l.save('warm', typingUpdates('w')[0]!); // the socket is up and a first document stored
    const [u] = typingUpdates('k', 7);
    const saving = settledState(l.save('p1', u!));
    await new Promise((res) => setTimeout(res, 150)); // applied in memory, not stored (debounce 1 s)
    await r.stop('SIGKILL');
    relays.splice(relays.indexOf(r), 1);
    expect(storedText('s/p1')).toBeNull(); // lost by the relay
    await until(() => expect(['offline', 'connecting']).toContain(l.status().state));
    expect(saving.done).toBe(false);
    expect(l.status().unstored).toBe(1);
    await relay(r.port); // the same address
    l.retryNow();
    await until(() => expect(saving.done).toBe(true));
    expect(saving.error).toBeNull();
    expect(storedText('s/p1')).toBe('k');
    await until(() => expect(l.status().state).toBe('synced'));
    expect(l.status().lastSyncedAt).not.toBeNull();
  });

  it('a graceful stop finishes while clients keep saving and reopening sessions, and stores what it acknowledged', async () => {
    const r = await relay();
    const l = layer(r.url);
    // One writer per document; each round types one more character and sends just that update.
    const writers = Array.from({ length: 24 }, (_, i) => ({ id: `d${i}`, doc: new Y.Doc() }));
    const type = (w: { doc: Y.Doc }) => {
      let update: Uint8Array | undefined;
      const take = (u: Uint8Array) => (update = u);
      w.doc.on('update', take);
      w.doc.getText('t').insert(w.doc.getText('t').length, 'x');
      w.doc.off('update', take);
      return update!;
    };
    await Promise.all(writers.map((w) => l.save(w.id, type(w))));
    // Keep saving through the stop: the relay resets sessions and the client reopens them meanwhile.
    let typing = true;
    const acknowledged = new Map<string, number>(); // document -> longest text acknowledged as stored
    const typist = (async () => {
      while (typing) {
        for (const w of writers) {
          const length = w.doc.getText('t').length + 1;
          void l.save(w.id, type(w)).then(() => acknowledged.set(w.id, Math.max(acknowledged.get(w.id) ?? 0, length)), () => undefined);
        }
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    await new Promise((res) => setTimeout(res, 300));
    const started = Date.now();
    const code = await r.stop('SIGTERM');
    typing = false;
    await typist;
    relays.splice(relays.indexOf(r), 1);
    expect(code, r.output()).toBe(0);
    expect(r.output()).toContain('everything stored');
    expect(Date.now() - started).toBeLessThan(10_000);
    // Every save the relay acknowledged as stored is in its file.
    for (const [id, length] of acknowledged) expect(storedText(`s/${id}`)!.length).toBeGreaterThanOrEqual(length);
  });

  it('a page waiting to be stored can ask the relay to store it now instead of after its debounce', async () => {
    // A debounce of a minute: only a store on request can store within this test.
    const r = await startRelayProcess(dataDir, { env: { QUIRE_RELAY_STORE_DEBOUNCE_MS: '60000', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '120000' } });
    relays.push(r);
    const l = layer(r.url);
    const [first, second] = typingUpdates('ab');
    const waiting = settledState(l.save('slow', first!));
    await new Promise((res) => setTimeout(res, 1_500)); // well past the default debounce: still not stored
    expect(waiting.done).toBe(false);
    expect(storedText('s/slow')).toBeNull();
    void l.save('fast', second!);
    void l.save('fast', first!);
    await l.whenSettled('fast', { storeNow: true });
    expect(storedText('s/fast')).toBe('ab');
    await l.whenSettled('slow', { storeNow: true });
    expect(waiting.done).toBe(true);
    expect(storedText('s/slow')).toBe('a');
  });

  it('closing a page and the space while the relay is down returns at once; the edit reaches the relay on the next open', async () => {
    const r = await relay();
    const store = new MemoryStore();
    const managerOf = () => new SpaceManager({ layers: [(id) => new MemoryLayer(id, store), (id) => layer(r.url, id)], coalesceMs: 5, retryInitialMs: 50, retryMaxMs: 500 });
    const first = managerOf();
    const h = await first.createSpace({ id: 'off', name: 'Off' });
    h.space.createPage({ id: 'p', title: 'Page' });
    await h.flush();
    await r.stop('SIGKILL');
    relays.splice(relays.indexOf(r), 1);
    const page = await h.openPage('p');
    page.doc.getText('t').insert(0, 'typed while the relay was down');
    await page.release(); // used to wait for the relay's acknowledgement, for as long as it was down
    await first.close();
    expect(storedText('off/p')).toBeNull();

    await relay(r.port);
    const second = managerOf();
    const again = await (await second.openSpace('off')).openPage('p');
    expect(again.doc.getText('t').toString()).toBe('typed while the relay was down');
    await until(() => expect(storedText('off/p')).toBe('typed while the relay was down'));
    await again.release();
    await second.close();
  });

  it('detaches a refused document with a typed error while another keeps syncing on the same socket', async () => {
    const r = await relay();
    const l = layer(r.url);
    const errors: PersistenceError[] = [];
    l.onError((e) => errors.push(e));
    await l.save('good', typingUpdates('a')[0]!);
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x07, 0xde, 0xad, 0xbe, 0xef]);
    const refused: unknown = await l.save('bad', garbage).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(PersistenceError);
    expect((refused as PersistenceError).code).toBe(ErrorCode.InvalidUpdate);
    expect((refused as PersistenceError).message).toContain('invalid-update');
    expect(errors.map((e) => e.docId)).toEqual(['bad']);
    expect(l.status().reason).toBe('invalid-update');
    // Detached: a later save of it is refused at once, nothing is sent.
    const sentBefore = l.traffic.framesSent;
    const again: unknown = await l.save('bad', typingUpdates('z', 9)[0]!).then(() => null, (e: unknown) => e);
    expect((again as PersistenceError).code).toBe(ErrorCode.InvalidUpdate);
    expect(l.traffic.framesSent).toBe(sentBefore);
    // The other document keeps syncing and storing.
    const more = typingUpdates('ab');
    await l.save('good', more[1]!);
    expect(storedText('s/good')).toBe('ab');
    expect(storedText('s/bad')).toBeNull();
  });

  it('fails a load fast, typed, while the relay is unreachable (no wait for the load timeout)', async () => {
    const r = await relay();
    const url = r.url;
    await r.stop('SIGKILL');
    relays.splice(0);
    const l = layer(url);
    const started = Date.now();
    const first: unknown = await l.load('p1').then(() => null, (e: unknown) => e);
    expect((first as PersistenceError).code).toBe(ErrorCode.Unreachable);
    expect(l.status().state).toBe('offline');
    const second: unknown = await l.load('p2').then(() => null, (e: unknown) => e);
    expect((second as PersistenceError).code).toBe(ErrorCode.Unreachable);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('carries awareness (cursors, names) between devices, never stored, and removes a device that detaches', async () => {
    const r = await relay();
    const a = layer(r.url);
    const b = layer(r.url);
    const awA = new Awareness(new Y.Doc());
    const awB = new Awareness(new Y.Doc());
    const detachA = a.attachAwareness('p1', awA);
    b.attachAwareness('p1', awB);
    awA.setLocalStateField('user', { name: 'Ada' });
    await until(() => expect(awB.getStates().get(awA.clientID)).toEqual({ user: { name: 'Ada' } }));
    awB.setLocalStateField('user', { name: 'Bo' });
    await until(() => expect(awA.getStates().get(awB.clientID)).toEqual({ user: { name: 'Bo' } }));
    detachA();
    await until(() => expect(awB.getStates().has(awA.clientID)).toBe(false));
    expect(storedText('s/p1')).toBeNull(); // awareness is never stored
  });

  it('carries states another tab handed this device, and a client leaving while the session stays open, at once', async () => {
    const r = await relay();
    const a = layer(r.url);
    const b = layer(r.url);
    const hub = new Awareness(new Y.Doc()); // a leader tab's awareness, holding a follower tab's client too
    const follower = new Awareness(new Y.Doc());
    follower.setLocalStateField('user', { name: 'Fay' });
    a.attachAwareness('p1', hub);
    // Handed over before the session is live: sent when it starts.
    applyAwarenessUpdate(hub, encodeAwarenessUpdate(follower, [follower.clientID]), 'tab');
    const awB = new Awareness(new Y.Doc());
    b.attachAwareness('p1', awB);
    await until(() => expect(awB.getStates().get(follower.clientID)).toEqual({ user: { name: 'Fay' } }));
    // The follower's editor closes; the leader's session to the relay stays open. Within the test's wait,
    // far below y-protocols' 30 s timeout: the relay passed the removal on.
    removeAwarenessStates(hub, [follower.clientID], 'tab');
    await vi.waitFor(() => expect(awB.getStates().has(follower.clientID)).toBe(false), { timeout: 5_000, interval: 20 });
    // The leader's own client still speaks through the same session.
    hub.setLocalStateField('user', { name: 'Lea' });
    await until(() => expect(awB.getStates().get(hub.clientID)).toEqual({ user: { name: 'Lea' } }));
  });

  it('syncs a page live between two space managers, and a wiped device gets everything back from the relay', async () => {
    const r = await relay();
    const fast = { coalesceMs: 5, retryInitialMs: 50, retryMaxMs: 500 };
    const managerOf = (store: MemoryStore) => new SpaceManager({ layers: [(id) => new MemoryLayer(id, store), (id) => layer(r.url, id)], ...fast });
    const a = managerOf(new MemoryStore());
    const ha = await a.createSpace({ id: 'live', name: 'Live' });
    ha.space.createPage({ id: 'p', title: 'Page' });
    const pa = await ha.openPage('p');
    pa.doc.getText('body').insert(0, 'hello');
    await ha.flush(); // stored by the relay
    const b = managerOf(new MemoryStore()); // a device that never saw the space
    const hb = await b.openSpace('live');
    expect(hb.space.getPage('p')?.title).toBe('Page');
    const pb = await hb.openPage('p');
    expect(pb.doc.getText('body').toString()).toBe('hello');
    pb.doc.getText('body').insert(5, ' world');
    await until(() => expect(pa.doc.getText('body').toString()).toBe('hello world'));
    pa.doc.getText('body').insert(0, '> ');
    await until(() => expect(pb.doc.getText('body').toString()).toBe('> hello world'));
    await a.close();
    await b.close();
  });
});

describe('RelayLayer without a WebSocket', () => {
  it('refuses to start, typed unsupported: neither local storage nor the relay failed', () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      const e: unknown = (() => {
        try {
          return new RelayLayer({ url: 'ws://127.0.0.1:1', spaceId: 's', token: () => 'unused' });
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(PersistenceError);
      expect((e as PersistenceError).code).toBe(ErrorCode.Unsupported);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
