/**
 * Relay figures, in Node, with Quire's own client (RelayLayer, SpaceSyncer) against the real relay process
 * (relay/testing), default relay settings (store debounce 1 s). Local stores are in memory here: these rows
 * measure the network path; the IndexedDB path is measured by the browser rows.
 *
 * - round trip: a one-character edit in an open page on device A until device B's open page has it, both
 *   SpaceManagers with the app's defaults; against a bare WebSocket echo round trip on loopback.
 * - first sync: a new device joins a 1,000-page space and its background sync brings every page.
 * - resync: that device was away while 10 of the 1,000 pages changed; its next pass brings them.
 * - first upload (reported): the owner's device starts syncing a 1,000-page space made offline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { MemoryLayer, MemoryStore } from '../../src/core/persistence/MemoryLayer.ts';
import { SpaceManager } from '../../src/core/manager/SpaceManager.ts';
import { RelayConnectionPool, type WebSocketConstructor } from '../../src/sync/relay/RelayConnection.ts';
import { RelayLayer } from '../../src/sync/relay/RelayLayer.ts';
import { SpaceSyncer } from '../../src/sync/relay/SpaceSyncer.ts';
import { MemorySyncStateStore, syncStateKey } from '../../src/sync/relay/SyncStateStore.ts';
import { startRelayProcess, type RelayProcess } from '../../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../../relay/testing/testSpace.ts';
import type { Figure } from '../figure.ts';
import { percentile } from '../stats.ts';
import type { Sizes } from '../sizes.ts';

/** Round trips per figure: cheap, so more than the minimum. */
const MIN_ROUND_TRIPS = 50;
/** The space of the sync rows (the size). */
const SYNC_PAGES = 1_000;
/** Pages changed while the device was away. */
const CHANGED_PAGES = 10;
const WS = WebSocket as unknown as WebSocketConstructor;

async function bareRoundTrips(n: number): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  await new Promise<void>((r) => server.once('listening', () => r()));
  const { port } = server.address() as { port: number };
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise<void>((r, f) => ws.once('open', () => r()).once('error', f));
  const out: number[] = [];
  const payload = new Uint8Array(32); // about the size of a one-character Yjs update
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      ws.once('message', () => r());
      ws.send(payload);
    });
    out.push(performance.now() - t0);
  }
  ws.close();
  await new Promise<void>((r) => server.close(() => r()));
  return out;
}

interface Device {
  manager: SpaceManager;
  layer: () => RelayLayer;
  store: MemoryStore;
}

/** A device: its own memory store and its own socket to the relay, the app's default timings. */
function device(relay: RelayProcess, store = new MemoryStore()): Device {
  let layer: RelayLayer | null = null;
  const pool = new RelayConnectionPool({ WebSocket: WS });
  const manager = new SpaceManager({
    layers: [(id) => new MemoryLayer(id, store), (id) => (layer = new RelayLayer({ url: relay.url, spaceId: id, token: () => ownerTokenFor(id), pool }))],
  });
  return { manager, store, layer: () => layer! };
}

async function roundTrips(relay: RelayProcess, n: number): Promise<number[]> {
  const a = device(relay);
  const b = device(relay);
  try {
    const ha = await a.manager.createSpace({ id: 'bench-round-trip', name: 'Round trip' });
    ha.space.createPage({ id: 'p', title: 'Page' });
    const pa = await ha.openPage('p');
    await ha.flush();
    const hb = await b.manager.openSpace('bench-round-trip');
    const pb = await hb.openPage('p');
    const textB = pb.doc.getText('body');
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const arrived = new Promise<void>((r) => {
        const f = () => {
          if (textB.length <= i) return;
          textB.unobserve(f);
          r();
        };
        textB.observe(f);
      });
      const t0 = performance.now();
      pa.doc.getText('body').insert(i, 'x');
      await arrived;
      out.push(performance.now() - t0);
    }
    await pa.release();
    await pb.release();
    return out;
  } finally {
    await a.manager.close();
    await b.manager.close();
  }
}

/** Runs one background-sync pass of `spaceId` on `d` and reports its time, pages and bytes. */
async function syncPass(d: Device, spaceId: string, state: MemorySyncStateStore, relay: RelayProcess) {
  const t0 = performance.now();
  const handle = await d.manager.openSpace(spaceId);
  const layer = d.layer();
  const before = layer.traffic.sent + layer.traffic.received;
  const syncer = new SpaceSyncer(handle, layer, { store: state, key: syncStateKey(relay.url, spaceId) });
  syncer.start(); // its first pass starts at once
  await syncer.kick(); // resolves when no pass is running or queued
  const ms = performance.now() - t0;
  syncer.stop();
  return { ms, pages: new Set(syncer.stats.pagesSynced).size, bytes: layer.traffic.sent + layer.traffic.received - before };
}

async function syncFigures(relay: RelayProcess, samples: number) {
  const spaceId = `bench-sync-${Date.now()}`;
  // The owner's device makes the space offline (no relay), through the core's own commands.
  const ownerStore = new MemoryStore();
  const local = new SpaceManager({ layers: [(id) => new MemoryLayer(id, ownerStore)] });
  const h = await local.createSpace({ id: spaceId, name: 'Sync bench' });
  const ids: string[] = [];
  for (let i = 0; i < SYNC_PAGES; i++) ids.push(h.space.createPage({ id: `p${String(i).padStart(4, '0')}`, title: `Page ${i}` }));
  for (const id of ids) {
    const p = await h.openPage(id);
    p.doc.getText('body').insert(0, `A typical paragraph of ${id}. `.repeat(6));
    await p.release();
  }
  await local.close();

  const owner = device(relay, ownerStore);
  const upload = await syncPass(owner, spaceId, new MemorySyncStateStore(), relay);

  const first: number[] = [];
  const firstBytes: number[] = [];
  const resync: number[] = [];
  const resyncBytes: number[] = [];
  const ownerHandle = await owner.manager.openSpace(spaceId);
  for (let s = 0; s < samples; s++) {
    // A new device: nothing local, nothing remembered.
    const state = new MemorySyncStateStore();
    const fresh = device(relay);
    const got = await syncPass(fresh, spaceId, state, relay);
    if (got.pages !== SYNC_PAGES) throw new Error(`first sync brought ${got.pages} of ${SYNC_PAGES} pages`);
    first.push(got.ms);
    firstBytes.push(got.bytes / 1024);
    await fresh.manager.close();

    // Away: the owner changes 10 pages, stored by the relay; then the device comes back.
    for (let k = 0; k < CHANGED_PAGES; k++) {
      const p = await ownerHandle.openPage(ids[(s * 97 + k * 101) % SYNC_PAGES]!);
      p.doc.getText('body').insert(0, `edit ${s}.${k} `);
      await p.release();
    }
    await ownerHandle.flush();
    await Promise.all(ids.map((id) => owner.layer().whenSettled(id)));
    const back = device(relay, fresh.store);
    const again = await syncPass(back, spaceId, state, relay);
    if (again.pages !== CHANGED_PAGES) throw new Error(`resync exchanged ${again.pages} pages, expected ${CHANGED_PAGES}`);
    resync.push(again.ms);
    resyncBytes.push(again.bytes / 1024);
    await back.manager.close();
  }
  await owner.manager.close();
  return { upload, first, firstBytes, resync, resyncBytes };
}

export async function runRelay(s: Sizes): Promise<Figure[]> {
  const n = Math.max(s.samples, s.short ? s.samples : MIN_ROUND_TRIPS);
  const dataDir = mkdtempSync(join(tmpdir(), 'quire-bench-relay-'));
  const relay = await startRelayProcess(dataDir);
  try {
    const bare = await bareRoundTrips(n);
    const quire = await roundTrips(relay, n);
    const sync = await syncFigures(relay, s.short ? 1 : Math.min(s.samples, 5));
    const pages = `${SYNC_PAGES} pages of about 200 characters`;
    return [
      {
        workload: 'relay round trip for an edit between two clients',
        what: 'a one-character edit in an open page on device A until device B’s open page has it (two SpaceManagers, RelayLayer, real relay process)',
        unit: 'ms',
        samples: quire,
        baseline: { what: 'bare WebSocket echo round trip on loopback (ws, 32 bytes)', samples: bare },
        budget: 'p50 <= 1 bare WebSocket round trip above the bare round trip (i.e. ratio <= 2)',
        goal: { ratioP50: 2 },
      },
      {
        workload: 'first sync of a 1,000-page space to a new device',
        what: `a new device’s first background-sync pass until every page is local (${pages}; 4 pages at once)`,
        unit: 'ms',
        samples: sync.first,
        budget: 'report',
        note: `${sync.first.length} samples (each a new device); bytes on its socket p50 ${Math.round(percentile(sync.firstBytes, 50))} KiB. The owner’s first upload of the same space took ${Math.round(sync.upload.ms)} ms for ${sync.upload.pages} pages, ${Math.round(sync.upload.bytes / 1024)} KiB (one sample).`,
      },
      {
        workload: 'resync after 10 of 1,000 pages changed',
        what: `the same device’s next pass after ${CHANGED_PAGES} of ${SYNC_PAGES} pages changed while it was away (exactly ${CHANGED_PAGES} pages exchanged, checked)`,
        unit: 'ms',
        samples: sync.resync,
        baseline: { what: 'first sync of the same space to a new device (the row above)', samples: sync.first },
        budget: '< 5% of the first sync',
        goal: { ratioP50: 0.05 },
        note: `bytes on its socket p50 ${Math.round(percentile(sync.resyncBytes, 50) * 10) / 10} KiB vs ${Math.round(percentile(sync.firstBytes, 50))} KiB for the first sync.`,
      },
    ];
  } finally {
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

