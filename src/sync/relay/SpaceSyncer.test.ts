/**
 * Whole-space background sync against the REAL relay process: two devices hold the same space of
 * 1,000 pages, in sync; the relay goes away; each device changes 5 different pages; the relay comes back.
 * Counted: the pages each device's background sync exchanged (exactly the 10 changed), and the bytes on
 * each device's socket, against a full pass over the 1,000 pages measured during the setup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { MemoryLayer, MemoryStore } from '../../core/persistence/MemoryLayer.ts';
import { SpaceManager } from '../../core/manager/SpaceManager.ts';
import type { PageHandle, SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { startRelayProcess, type RelayProcess } from '../../../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../../../relay/testing/testSpace.ts';
import { RelayConnectionPool, type WebSocketConstructor } from './RelayConnection.ts';
import { RelayLayer } from './RelayLayer.ts';
import { SpaceSyncer } from './SpaceSyncer.ts';
import { MemorySyncStateStore, syncStateKey } from './SyncStateStore.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
const PAGES = 1_000;
const CHANGED_PER_SIDE = 5;
const SPACE = 'big';
/** Test relay: stores 20 ms after the last change (default 1 s), so 1,000 first stores take seconds. */
const RELAY_ENV = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '20', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };
const fast = { coalesceMs: 5, retryInitialMs: 50, retryMaxMs: 500 };
const until = (check: () => void, timeout = 60_000) => vi.waitFor(check, { timeout, interval: 50 });

const dataDir = mkdtempSync(join(tmpdir(), 'quire-syncer-'));
const relays: RelayProcess[] = [];
afterAll(async () => {
  for (const r of relays) await r.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function copyStore(from: MemoryStore): Promise<MemoryStore> {
  const to = new MemoryStore();
  const src = new MemoryLayer(SPACE, from);
  const dst = new MemoryLayer(SPACE, to);
  for (const docId of await src.listDocs()) for (const row of await src.load(docId)) await dst.save(docId, row.update);
  return to;
}

interface Device {
  manager: SpaceManager;
  handle: SpaceHandle;
  layer: RelayLayer;
  syncer: SpaceSyncer;
  state: MemorySyncStateStore;
}

async function device(url: string, store: MemoryStore, state: MemorySyncStateStore, concurrency?: number): Promise<Device> {
  let layer: RelayLayer | null = null;
  const pool = new RelayConnectionPool({ WebSocket: WS, reconnectInitialMs: 50, reconnectMaxMs: 300 });
  const manager = new SpaceManager({
    layers: [(id) => new MemoryLayer(id, store), (id) => (layer = new RelayLayer({ url, spaceId: id, token: () => ownerTokenFor(id), pool }))],
    ...fast,
  });
  const handle = await manager.openSpace(SPACE);
  const syncer = new SpaceSyncer(handle, layer!, { store: state, key: syncStateKey(url, SPACE), concurrency, pollMs: 300 });
  return { manager, handle, layer: layer!, syncer, state };
}

describe('background sync of a whole space (real relay)', () => {
  it(`after a disconnect exchanges only the ${2 * CHANGED_PER_SIDE} pages changed on either side of ${PAGES}`, async () => {
    let relay = await startRelayProcess(dataDir, { env: RELAY_ENV });
    relays.push(relay);

    // Device A builds the space offline-first (no relay yet): 1,000 pages with a line of text each.
    const storeA = new MemoryStore();
    const local = new SpaceManager({ layers: [(id) => new MemoryLayer(id, storeA)], ...fast });
    const h = await local.createSpace({ id: SPACE, name: 'Big' });
    const ids: string[] = [];
    for (let i = 0; i < PAGES; i++) ids.push(h.space.createPage({ id: `p${String(i).padStart(4, '0')}`, title: `Page ${i}` }));
    for (const id of ids) {
      const p = await h.openPage(id);
      p.doc.getText('body').insert(0, `Text of ${id}. `.repeat(4));
      await p.release();
    }
    await local.close();

    // A starts syncing: its first pass (nothing known) uploads every page. That is the full-pass baseline.
    const stateA = new MemorySyncStateStore();
    const a = await device(relay.url, storeA, stateA, 16);
    const full0 = a.layer.traffic.sent + a.layer.traffic.received;
    a.syncer.start();
    await until(() => expect(a.syncer.stats.passes).toBeGreaterThan(0), 120_000);
    await a.syncer.kick();
    const fullPassBytes = a.layer.traffic.sent + a.layer.traffic.received - full0;
    expect(new Set(a.syncer.stats.pagesSynced).size).toBe(PAGES);
    // Both devices now hold everything at the relay's current sequence (B is a copy of A's device). The
    // question needs the connection: on a loaded machine it was seen dropped and reconnecting here (a
    // question asked while offline rejects at once with 'unreachable', by design).
    await until(() => expect(a.layer.status().state).toBe('synced'));
    const seq = (await a.layer.changesSince(0)).seq;
    await stateA.setSeq(syncStateKey(relay.url, SPACE), seq);
    const stateB = new MemorySyncStateStore();
    await stateB.setSeq(syncStateKey(relay.url, SPACE), seq);
    const b = await device(relay.url, await copyStore(storeA), stateB);
    b.syncer.start();
    await b.syncer.kick();
    expect(b.syncer.stats.pagesSynced).toEqual([]); // nothing changed since seq

    // The relay goes away. Each device changes 5 different pages (kept open, as an editor would).
    const baseA = { pages: a.syncer.stats.pagesSynced.length, bytes: a.layer.traffic.sent + a.layer.traffic.received };
    const baseB = { pages: b.syncer.stats.pagesSynced.length, bytes: b.layer.traffic.sent + b.layer.traffic.received };
    await relay.stop('SIGTERM');
    await until(() => expect(a.layer.status().state).toBe('offline'));
    await until(() => expect(b.layer.status().state).toBe('offline'));
    const changedA = ids.slice(100, 100 + CHANGED_PER_SIDE);
    const changedB = ids.slice(700, 700 + CHANGED_PER_SIDE);
    const open: PageHandle[] = [];
    for (const [d, changed, who] of [[a, changedA, 'A'], [b, changedB, 'B']] as const) {
      for (const id of changed) {
        const p = await d.handle.openPage(id);
        p.doc.getText('body').insert(0, `offline edit by ${who} `);
        open.push(p);
      }
    }
    await until(() => expect(a.layer.status().unstored).toBeGreaterThanOrEqual(CHANGED_PER_SIDE));

    // The relay comes back on the same address; both reconnect and their background sync runs.
    relay = await startRelayProcess(dataDir, { port: relay.port, env: RELAY_ENV });
    relays.push(relay);
    a.layer.retryNow();
    b.layer.retryNow();
    const changed = new Set([...changedA, ...changedB]);
    // Wait on the background sync only (reading pages here would add the test's own traffic).
    const union = () => new Set([...a.syncer.stats.pagesSynced.slice(baseA.pages), ...b.syncer.stats.pagesSynced.slice(baseB.pages)]);
    await until(() => expect(union()).toEqual(changed));
    await until(() => expect(a.layer.status().state).toBe('synced'));
    await until(() => expect(b.layer.status().state).toBe('synced'));
    await Promise.all([a.syncer.kick(), b.syncer.kick()]);
    const bytesA = a.layer.traffic.sent + a.layer.traffic.received - baseA.bytes;
    const bytesB = b.layer.traffic.sent + b.layer.traffic.received - baseB.bytes;
    const exchangedA = new Set(a.syncer.stats.pagesSynced.slice(baseA.pages));
    const exchangedB = new Set(b.syncer.stats.pagesSynced.slice(baseB.pages));
    expect([...exchangedA].every((id) => changed.has(id)), `A exchanged ${[...exchangedA].join(',')}`).toBe(true);
    expect([...exchangedB].every((id) => changed.has(id)), `B exchanged ${[...exchangedB].join(',')}`).toBe(true);
    expect(new Set([...exchangedA, ...exchangedB])).toEqual(changed);
    // Each device has the other's changes.
    const textOf = async (d: Device, id: string) => {
      const p = await d.handle.openPage(id);
      const t = p.doc.getText('body').toString();
      await p.release();
      return t;
    };
    for (const id of changedA) expect(await textOf(b, id)).toMatch(/^offline edit by A /);
    for (const id of changedB) expect(await textOf(a, id)).toMatch(/^offline edit by B /);
    console.log(
      `background sync, ${PAGES} pages, ${2 * CHANGED_PER_SIDE} changed: A exchanged ${exchangedA.size} pages in ${bytesA} bytes, B ${exchangedB.size} pages in ${bytesB} bytes; ` +
        `a full first pass over ${PAGES} pages took ${fullPassBytes} bytes`,
    );
    expect(bytesA).toBeLessThan(fullPassBytes / 20);
    expect(bytesB).toBeLessThan(fullPassBytes / 20);

    for (const p of open) await p.release();
    a.syncer.stop();
    b.syncer.stop();
    await a.manager.close();
    await b.manager.close();
  }, 240_000);
});
