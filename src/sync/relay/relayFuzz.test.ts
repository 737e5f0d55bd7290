/**
 * Seeded fuzz through the REAL relay process: three replicas (each a SpaceManager with a MemoryLayer and a
 * RelayLayer on its own socket) make random text edits, create, rename and move pages, while their
 * connections are cut at random and the relay is restarted (killed, or stopped gracefully) on the same
 * address. After healing (every connection back), all replicas hold the same tree and the same page texts,
 * with no broken invariant, and every relay layer reports 'synced' with nothing unstored.
 *
 * The seed fixes the sequence of operations; network timing is real, so a replay repeats the same
 * operations, not the same interleaving. FUZZ_SEED=n runs one seed, FUZZ_RUNS=n sets the count,
 * EXTENSIVE=1 runs 30 seeds with longer runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, vi } from 'vitest';
import WebSocket from 'ws';
import { SpaceError } from '../../core/errors.ts';
import { MemoryLayer, MemoryStore } from '../../core/persistence/MemoryLayer.ts';
import { SpaceManager } from '../../core/manager/SpaceManager.ts';
import type { PageHandle, SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { mulberry32, type Prng } from '../../core/testing/prng.ts';
import { seededSuite } from '../../core/testing/seededSuite.ts';
import { startRelayProcess, type RelayProcess } from '../../../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../../../relay/testing/testSpace.ts';
import { RelayConnectionPool, type WebSocketConstructor } from './RelayConnection.ts';
import { RelayLayer } from './RelayLayer.ts';

const ENV = process.env;
const EXTENSIVE = ENV.EXTENSIVE === '1';
const REPLICAS = 3;
const STEPS = EXTENSIVE ? 80 : 40;
/** Relay restarts cost ~2 s each (process start): bounded per seed. */
const MAX_RESTARTS = EXTENSIVE ? 3 : 1;
const HEAL_TIMEOUT_MS = 30_000;
const RELAY_ENV = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '20', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };
const WS = WebSocket as unknown as WebSocketConstructor;
const fast = { coalesceMs: 5, retryInitialMs: 20, retryMaxMs: 200 };

const dataDir = mkdtempSync(join(tmpdir(), 'quire-relay-fuzz-'));
/** Each seed runs against its own relay process and data (seeds stay independent). */
let relay: RelayProcess;

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Replica {
  readonly index: number;
  readonly manager: SpaceManager;
  handle: SpaceHandle;
  layer: RelayLayer;
  readonly pages: Map<string, PageHandle>;
  readonly opening: Set<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const letters = (rng: Prng, n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + rng.int(26))).join('');

async function replica(index: number, spaceId: string, create: boolean, errors: string[]): Promise<Replica> {
  const store = new MemoryStore();
  const pool = new RelayConnectionPool({ WebSocket: WS, reconnectInitialMs: 30, reconnectMaxMs: 300 });
  let layer: RelayLayer | null = null;
  const manager = new SpaceManager({
    layers: [(id) => new MemoryLayer(id, store), (id) => (layer = new RelayLayer({ url: relay.url, spaceId: id, token: () => ownerTokenFor(id), pool }))],
    ...fast,
  });
  const handle = create ? await manager.createSpace({ id: spaceId, name: 'Fuzz' }) : await manager.openSpace(spaceId);
  const r: Replica = { index, manager, handle, layer: layer!, pages: new Map(), opening: new Set() };
  const open = (id: string) => {
    if (r.pages.has(id) || r.opening.has(id)) return;
    r.opening.add(id);
    handle.openPage(id).then(
      (p) => {
        r.opening.delete(id);
        r.pages.set(id, p);
      },
      (e: unknown) => {
        r.opening.delete(id);
        errors.push(`replica ${index}: open ${id}: ${String(e)}`);
      },
    );
  };
  for (const p of handle.space.listPages()) open(p.id);
  handle.space.observe((changes) => {
    for (const c of changes) if (c.type === 'page-created') open(c.page.id);
  });
  return r;
}

async function runSeed(seed: number): Promise<void> {
  relay = await startRelayProcess(join(dataDir, `seed-${seed}`), { env: RELAY_ENV });
  try {
    await runSeedOn(seed);
  } finally {
    await relay.stop('SIGKILL');
  }
}

async function runSeedOn(seed: number): Promise<void> {
  const rng = mulberry32(seed);
  const spaceId = `fuzz-${seed}-${Date.now()}`;
  const errors: string[] = [];
  const log: string[] = [];
  const fail = (why: string): never => {
    throw new Error(`seed ${seed}: ${why}\n  last steps: ${log.slice(-15).join(' | ')}`);
  };
  const first = await replica(0, spaceId, true, errors);
  first.handle.space.createPage({ id: 'p0', title: 'First' });
  await first.handle.flush();
  const replicas = [first];
  for (let i = 1; i < REPLICAS; i++) replicas.push(await replica(i, spaceId, false, errors));
  let restarts = 0;
  let nextPage = 1;

  try {
    for (let step = 0; step < STEPS; step++) {
      const r = rng.pick(replicas);
      const roll = rng.int(100);
      const pageIds = [...r.pages.keys()];
      if (roll < 40 && pageIds.length > 0) {
        const text = r.pages.get(rng.pick(pageIds))!.doc.getText('body');
        if (text.length > 4 && rng.chance(0.25)) {
          const at = rng.int(text.length - 2);
          text.delete(at, 1 + rng.int(2));
          log.push(`${step}:r${r.index} delete`);
        } else {
          text.insert(rng.int(text.length + 1), letters(rng, 1 + rng.int(5)));
          log.push(`${step}:r${r.index} insert`);
        }
      } else if (roll < 50) {
        const id = `p${nextPage++}`;
        const parent = rng.chance(0.5) && pageIds.length > 0 ? rng.pick(pageIds) : null;
        r.handle.space.createPage({ id, title: `Page ${id}`, parentId: r.handle.space.getPage(parent ?? '') ? parent : null });
        log.push(`${step}:r${r.index} create ${id}`);
      } else if (roll < 58 && pageIds.length > 0) {
        const id = rng.pick(pageIds);
        if (r.handle.space.getPage(id)) r.handle.space.renamePage(id, letters(rng, 6));
        log.push(`${step}:r${r.index} rename ${id}`);
      } else if (roll < 65 && pageIds.length > 1) {
        const [id, parent] = [rng.pick(pageIds), rng.chance(0.3) ? null : rng.pick(pageIds)];
        try {
          r.handle.space.movePage(id, parent, 0);
        } catch (e) {
          if (!(e instanceof SpaceError)) throw e; // a move into its own subtree is refused, as it should be
        }
        log.push(`${step}:r${r.index} move ${id} under ${parent ?? 'top'}`);
      } else if (roll < 77) {
        r.layer.interrupt();
        log.push(`${step}:r${r.index} cut`);
      } else if (roll < 82 && restarts < MAX_RESTARTS) {
        restarts++;
        const signal = rng.chance(0.5) ? 'SIGKILL' : 'SIGTERM';
        if (ENV.FUZZ_DEBUG) console.log(`${step}: restarting with ${signal}`);
        // A graceful stop that hangs fails the seed (relayProcess bounds it at 15 s): a finding, not noise.
        await relay.stop(signal);
        await sleep(rng.int(200));
        relay = await startRelayProcess(join(dataDir, `seed-${seed}`), { port: relay.port, env: RELAY_ENV });
        log.push(`${step}: relay restart (${signal})`);
      } else {
        await sleep(20 + rng.int(150));
        log.push(`${step}: wait`);
      }
      if (ENV.FUZZ_DEBUG) console.log(log[log.length - 1]);
      await sleep(rng.int(30));
    }

    log.push('heal');
    for (const x of replicas) x.layer.retryNow();
    await vi
      .waitFor(
        () => {
          const expected = replicas[0]!.handle.space.listPages();
          for (const x of replicas) {
            expect(x.handle.space.listPages(), `replica ${x.index} tree`).toEqual(expected);
            expect(x.handle.space.meta(), `replica ${x.index} meta`).toEqual(replicas[0]!.handle.space.meta());
            for (const p of expected) {
              const mine = x.pages.get(p.id)?.doc.getText('body').toString();
              expect(mine, `replica ${x.index} text of ${p.id}`).toBe(replicas[0]!.pages.get(p.id)?.doc.getText('body').toString());
              expect(mine, `replica ${x.index} has ${p.id} open`).toBeDefined();
            }
            const s = x.layer.status();
            expect(`${s.state}/${s.unstored}`, `replica ${x.index} relay status`).toBe('synced/0');
          }
        },
        { timeout: HEAL_TIMEOUT_MS, interval: 100 },
      )
      .catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
    for (const x of replicas) expect(x.handle.space.checkInvariants(), `seed ${seed}: replica ${x.index} invariants`).toEqual([]);
    expect(errors, `seed ${seed}: background failures`).toEqual([]);
  } finally {
    // Bounded: after a failed heal a close may wait on acknowledgements that never come.
    await Promise.race([Promise.allSettled(replicas.map((x) => x.manager.close())), sleep(3_000)]);
  }
}

seededSuite({
  name: 'replicas syncing through the real relay converge (random cuts and relay restarts)',
  run: runSeed,
  defaultRuns: 5,
  extensiveRuns: 30,
  batch: 1,
});
