/**
 * Convergence fuzz through the real persistence path.
 *
 * Three replicas, each a real SpaceManager with the layers [MemoryLayer over the replica's own MemoryStore
 * (its disk), NetLayer (a two-way layer on a SimNetwork)]. The store sits behind a DeferredLayer: its writes
 * land when the test commits them, like IndexedDB transactions. Random steps: page commands through
 * `handle.space` and `handle.deletePageForever`, concurrent moves that close loops, text edits in open page
 * documents (every page is opened on every replica as soon as it appears), network ticks (the disks commit,
 * the network accepts sends, drops, duplicates, delays and reorders them), explicit flushes, and restarts
 * of a replica: clean (`closeSpace`, then a new manager over the same store) or a crash (`handle.abandon()`
 * without a flush; writes not committed and sends not accepted are lost, like a tab killed mid-write). A
 * replica may stay down a few steps.
 *
 * Checked along the way: the tree invariants of every live replica after every step; after a clean restart
 * the replica reopens exactly as it closed; after any restart every acknowledged edit is still there: each
 * document reopened from the store holds the state (state vector and delete set) observed when the last
 * flush that resolved was called. After healing (everything delivered, then lossless exchanges from the
 * relay and between replicas through `DocSync.applyRemote`, then a flush), all replicas hold the same pages and page texts with no broken
 * invariant and no pending structs, no unexpected error reached a status, and a fresh manager over each
 * replica's store alone reopens the same.
 *
 * Time is a ManualClock and everything random comes from one seed (mulberry32; Yjs client ids are assigned
 * in order), so a seed replays exactly: FUZZ_SEED=n runs one seed (FUZZ_DEBUG=1 prints its steps),
 * FUZZ_RUNS=n sets the number of seeds, FUZZ_STEPS=n the steps per seed (30 to 60 by default), EXTENSIVE=1
 * runs 1000 seeds.
 *
 * The world (replicas, commands, restarts, healing) is core/testing/ManagerFuzzWorld.ts; the regressions this
 * fuzz found are replayed as fixed scenarios in managerConvergence.regressions.test.ts.
 */
import { expect, it } from 'vitest';
import { SpaceManager } from './SpaceManager.ts';
import { MemoryLayer } from '../persistence/MemoryLayer.ts';
import type { PageRecord } from '../space/Space.ts';
import { ManagerFuzzWorld } from '../testing/ManagerFuzzWorld.ts';
import { ENV, FAST, REPLICAS, SPACE_ID, settle, type Coverage, type Replica } from '../testing/managerFuzz.ts';
import { mulberry32 } from '../testing/prng.ts';
import { seededSuite } from '../testing/seededSuite.ts';

/** Seeds in the default suite. */
const DEFAULT_RUNS = 60;
/** Seeds with EXTENSIVE=1. */
const EXTENSIVE_RUNS = 1000;
/** Seeds per test case: failures of a batch are reported together, by seed. */
const BATCH = 10;

/** Runs counted by what they exercised, over the whole suite (checked by the last test). */
const coverage: Coverage = {
  runs: 0,
  crashes: 0,
  crashPageChecks: 0,
  cleanRestarts: 0,
  exactReopens: 0,
  lostInCrash: 0,
  lostWrites: 0,
  deletes: 0,
  drops: 0,
  duplicates: 0,
  followAnswers: 0,
  snapshots: 0,
  loadFailures: 0,
  contents: 0,
};

async function reloadFromStore(world: ManagerFuzzWorld, r: Replica): Promise<{ pages: PageRecord[]; texts: Map<string, string>; problems: string[] }> {
  const m = new SpaceManager({ layers: [(spaceId) => new MemoryLayer(spaceId, r.store, 'memory')], clock: world.clock, ...FAST });
  const h = await world.drive(m.openSpace(SPACE_ID));
  const pages = h.space.listPages();
  const texts = new Map<string, string>();
  for (const p of pages) {
    const page = await world.drive(h.openPage(p.id));
    texts.set(p.id, page.doc.getText('body').toString());
  }
  const problems = h.space.checkInvariants();
  await world.drive(m.close());
  return { pages, texts, problems };
}

/** Runs one seeded scenario; throws (with the seed and the last steps) on any divergence or lost edit. */
async function runScenario(seed: number): Promise<void> {
  const world = new ManagerFuzzWorld(seed, mulberry32(seed));
  try {
    await runWorld(world);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`seed ${seed}`)) throw e;
    // Anything else (a command or a flush that threw) gets the seed and the last steps too.
    world.fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}

async function runWorld(world: ManagerFuzzWorld): Promise<void> {
  const { rng, seed } = world;
  const steps = ENV.FUZZ_STEPS ? Number(ENV.FUZZ_STEPS) : 30 + rng.int(31);
  const [first] = world.replicas;
  await world.start(first!, 'create');
  for (const r of world.replicas.slice(1)) await world.start(r, 'join');
  // Each replica holds the space durably before the run starts (as after joining and saving).
  for (const r of world.replicas) await world.flush(r);

  for (world.step = 0; world.step < steps; world.step++) {
    for (const r of world.replicas) if (!r.handle && r.downUntil <= world.step) await world.comeBack(r);
    const live = world.live();
    const roll = rng.int(100);
    const r = live.length > 0 ? rng.pick(live) : null;
    if (!r || (roll >= 55 && roll < 80)) {
      world.networkTick();
    } else if (roll < 33) {
      await world.treeCommand(r);
    } else if (roll < 38) {
      world.crossMoves();
    } else if (roll < 55) {
      world.editText(r);
    } else if (roll < 88) {
      world.note(`r${r.index} flush`);
      await world.flush(r);
    } else {
      const crash = rng.chance(0.5);
      world.note(`r${r.index} ${crash ? 'crash' : 'close'}`);
      if (crash) await world.crash(r);
      else await world.cleanClose(r);
      r.downUntil = world.step + (rng.chance(0.5) ? 0 : 1 + rng.int(4));
      if (r.downUntil <= world.step) await world.comeBack(r);
    }
    await settle();
    await world.finishReleases();
    world.checkLive(`after step ${world.step}`);
  }

  world.step = steps;
  world.note('heal');
  await world.heal();
  world.checkLive('after healing');

  const at = `seed ${seed}`;
  const [expected, ...others] = world.replicas.map((r) => ({ r, pages: r.handle!.space.listPages(), texts: world.texts(r) }));
  const pageIds = expected!.pages.map((p) => p.id);
  for (const { r, pages, texts } of [expected!, ...others]) {
    expect(pages, `${at}: replica ${r.index} pages after healing`).toEqual(expected!.pages);
    expect(r.handle!.space.meta(), `${at}: replica ${r.index} space metadata`).toEqual(expected!.r.handle!.space.meta());
    expect([...r.pages.keys()].sort(), `${at}: replica ${r.index} open pages`).toEqual([...pageIds].sort());
    for (const id of pageIds) expect(texts.get(id), `${at}: replica ${r.index} text of ${id}`).toBe(expected!.texts.get(id));
    for (const doc of [r.handle!.doc, ...[...r.pages.values()].map((p) => p.doc)]) {
      expect(doc.store.pendingStructs === null && doc.store.pendingDs === null, `${at}: replica ${r.index} document ${doc.guid} has pending structs`).toBe(true);
    }
  }
  for (const r of world.replicas) {
    const reloaded = await reloadFromStore(world, r);
    expect(reloaded.problems, `${at}: replica ${r.index} invariants after a reload from its store`).toEqual([]);
    expect(reloaded.pages, `${at}: replica ${r.index} pages reloaded from its store`).toEqual(expected!.pages);
    for (const id of pageIds) expect(reloaded.texts.get(id), `${at}: replica ${r.index} text of ${id} reloaded from its store`).toBe(expected!.texts.get(id));
  }
  expect(world.unexpectedStatusErrors(), `${at}: errors reported to the status`).toEqual([]);

  const stats = world.network.stats;
  if (stats.dropped > 0) world.seen.add('drops');
  if (stats.duplicated > 0) world.seen.add('duplicates');
  if (stats.followAnswers > 0) world.seen.add('followAnswers');
  if (stats.snapshots > REPLICAS - 1) world.seen.add('snapshots');
  if (stats.loadFailures > 0) world.seen.add('loadFailures');
  if ([...expected!.texts.values()].some((t) => t.length > 0)) world.seen.add('contents');
  coverage.runs++;
  for (const key of world.seen) coverage[key]++;
  for (const r of world.replicas) await world.drive(r.manager!.close(), r);
}

seededSuite({
  name: 'manager convergence fuzz (real persistence path)',
  run: (seed) => runScenario(seed),
  defaultRuns: DEFAULT_RUNS,
  extensiveRuns: EXTENSIVE_RUNS,
  batch: BATCH,
  after(runs) {
    // Fails if changes to the generator stop it from reaching what it exists to test.
    it('exercised crashes, restarts and a lossy network in a fair share of runs', () => {
      console.log('manager convergence fuzz coverage (runs in which it happened):', coverage);
      expect(coverage.runs).toBe(runs);
      for (const key of ['crashes', 'crashPageChecks', 'lostWrites', 'cleanRestarts', 'exactReopens', 'deletes', 'drops', 'duplicates', 'followAnswers', 'snapshots', 'contents'] as const) {
        expect(coverage[key], key).toBeGreaterThanOrEqual(Math.floor(runs / 10));
      }
    });
  },
});
