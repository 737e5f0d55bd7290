/**
 * Fault injection the way SQLite tests it: for each scenario, fail the k-th write for k = 1, 2, ... until
 * the scenario completes without a fault, once and forever. After each run the space is reloaded from
 * storage with a clean manager, and:
 *  - load succeeds and every acknowledged edit is present: the reloaded state equals the state after the
 *    last acknowledged step or after a later step (writes land in order; an unacknowledged one may land);
 *  - exactly one error reached the status API when a fault was injected (none otherwise);
 *  - in 'once' mode the unsaved edits were eventually written: the reloaded state is the final one.
 *
 * Exported so that every storage runs it: the memory layer behind FaultyLayer here, IndexedDB with faults
 * injected into IDBObjectStore itself in src/storage.
 */
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { FaultMode } from '../persistence/FaultyLayer.ts';
import type { LayerFactory } from '../persistence/PersistenceLayer.ts';
import { SpaceManager } from '../manager/SpaceManager.ts';
import type { SpaceHandle } from '../manager/SpaceHandle.ts';

export interface FaultyStore {
  /** Layers over this store with the k-th write (counted across the store) failing. */
  faulty(plan: { at: number; mode: FaultMode }): { factory: LayerFactory; injected(): number; heal(): void };
  /** Layers over this store without faults (the reload). */
  clean(): LayerFactory;
}

export interface StorageUnderTest {
  name: string;
  /** A new, empty store. Several stores made by one call of `fresh` are independent. */
  store(label: string): FaultyStore;
  /** Called after each run (delete databases). */
  cleanup?(): Promise<void>;
  /**
   * Write requests the storage makes per write of the core, when more than one (a store that writes a row and
   * its counter per save counts two): scales each scenario's `maxWrites`, which is counted in requests.
   */
  requestsPerWrite?: number;
  /** Manager options for speed (small coalescing and retry delays). */
  managerOptions?: { coalesceMs?: number; retryInitialMs?: number; retryMaxMs?: number };
}

export interface ScenarioRun {
  /** The observed state after each step. */
  states: Observed[];
  /** Index of the last step whose acknowledgement arrived (-1: none). */
  lastAcked: number;
}

export interface Scenario {
  name: string;
  /** Upper bound on k: a scenario that still faults at this many writes is a bug in the harness. */
  maxWrites: number;
  /** Does anything before the faulty run (e.g. fills another store). */
  prepare?(s: StorageUnderTest, stores: Map<string, FaultyStore>): Promise<void>;
  /** The layers of the faulty run. */
  layers(faulty: LayerFactory, stores: Map<string, FaultyStore>): LayerFactory[];
  run(m: SpaceManager, step: (observe: () => Observed) => Promise<void>): Promise<void>;
  /** The layers to reload from (defaults to the faulty store, clean). */
  reloadFrom?(stores: Map<string, FaultyStore>): LayerFactory[];
}

export const SPACE_ID = 'fault-space';

/**
 * The observable state of a space: the space document (name and tree) and the text of each page, kept
 * apart because each document is written independently: after a crash each may be at a different step.
 */
export interface Observed {
  tree: string;
  texts: Record<string, string>;
}

function treeOf(h: SpaceHandle): string {
  const pages = h.space.listPages().sort((a, b) => a.id.localeCompare(b.id));
  return `${h.space.meta().name}|${pages.map((p) => `${p.id}:${p.title}:${p.parentId ?? '-'}:${p.order}:${p.trashed}`).join('|')}`;
}

export async function observeSpace(h: SpaceHandle): Promise<Observed> {
  const texts: Record<string, string> = {};
  for (const p of h.space.listPages()) {
    const page = await h.openPage(p.id);
    texts[p.id] = page.doc.getText('body').toString();
    await page.release();
  }
  return { tree: treeOf(h), texts };
}

function observeNow(h: SpaceHandle, docs: Map<string, Y.Doc>): Observed {
  const texts: Record<string, string> = {};
  for (const p of h.space.listPages()) texts[p.id] = docs.get(p.id)?.getText('body').toString() ?? '';
  return { tree: treeOf(h), texts };
}

/**
 * Whether `got` holds every acknowledged edit: each document is at the state of the acknowledged step or
 * of a later one (or, for 'once' mode, at the final state).
 */
export function holdsAcknowledged(got: Observed, allowed: readonly Observed[]): string | null {
  if (!allowed.some((s) => s.tree === got.tree)) return `tree ${got.tree} is none of ${allowed.map((s) => s.tree).join(' / ')}`;
  for (const [id, text] of Object.entries(got.texts)) {
    const ok = allowed.map((s) => s.texts[id] ?? '');
    if (!ok.includes(text)) return `page ${id} reads ${JSON.stringify(text)}, expected one of ${JSON.stringify(ok)}`;
  }
  return null;
}

export const scenarios: Scenario[] = [
  {
    name: 'type in a page',
    maxWrites: 40,
    layers: (f) => [f],
    async run(m, step) {
      const h = await m.createSpace({ id: SPACE_ID, name: 'Typing' });
      await step(() => observeNow(h, new Map()));
      const id = h.space.createPage({ id: 'page-1', title: 'Notes' });
      const page = await h.openPage(id);
      const texts = new Map([[id, page.doc]]);
      await step(() => observeNow(h, texts));
      const body = page.doc.getText('body');
      for (const ch of 'The quick brown fox') {
        body.insert(body.length, ch);
        await step(() => observeNow(h, texts));
      }
    },
  },
  {
    name: 'create pages',
    maxWrites: 30,
    layers: (f) => [f],
    async run(m, step) {
      const h = await m.createSpace({ id: SPACE_ID, name: 'Creating' });
      const none = new Map<string, Y.Doc>();
      await step(() => observeNow(h, none));
      let parent: string | null = null;
      for (let i = 0; i < 12; i++) {
        const id = h.space.createPage({ id: `p${i}`, title: `Page ${i}`, parentId: i % 3 === 0 ? null : parent });
        if (i % 3 === 0) parent = id;
        await step(() => observeNow(h, none));
      }
    },
  },
  {
    name: 'move pages',
    maxWrites: 30,
    layers: (f) => [f],
    async run(m, step) {
      const h = await m.createSpace({ id: SPACE_ID, name: 'Moving' });
      const none = new Map<string, Y.Doc>();
      await step(() => observeNow(h, none));
      for (let i = 0; i < 6; i++) h.space.createPage({ id: `p${i}`, title: `Page ${i}` });
      await step(() => observeNow(h, none));
      const moves: [string, string | null, number][] = [
        ['p1', 'p0', 0], ['p2', 'p1', 0], ['p3', 'p0', 1], ['p0', null, 2], ['p5', 'p2', 0], ['p1', null, 0], ['p4', 'p3', 0], ['p2', null, 1],
      ];
      for (const [id, parent, index] of moves) {
        h.space.movePage(id, parent, index);
        await step(() => observeNow(h, none));
      }
      h.space.trashPage('p3');
      await step(() => observeNow(h, none));
      h.space.restorePage('p3');
      await step(() => observeNow(h, none));
    },
  },
  {
    name: 'delete a page',
    maxWrites: 30,
    layers: (f) => [f],
    async run(m, step) {
      const h = await m.createSpace({ id: SPACE_ID, name: 'Deleting' });
      const texts = new Map<string, Y.Doc>();
      await step(() => observeNow(h, texts));
      // Tree changes in one synchronous run, so they land in storage together (between steps only).
      for (const [id, parent] of [['a', null], ['b', 'a'], ['c', null]] as const) h.space.createPage({ id, title: id.toUpperCase(), parentId: parent });
      for (const id of ['a', 'b', 'c']) {
        const page = await h.openPage(id);
        page.doc.getText('body').insert(0, `text of ${id}`);
        texts.set(id, page.doc);
      }
      await step(() => observeNow(h, texts));
      await h.deletePageForever('a').catch(() => undefined);
      await step(() => observeNow(h, texts));
    },
  },
  {
    name: 'open a space',
    maxWrites: 20,
    async prepare(_s, stores) {
      // A space that exists in store "a" only; the faulty store "b" is empty and gets backfilled on open.
      const m = new SpaceManager({ layers: [stores.get('a')!.clean()] });
      const h = await m.createSpace({ id: SPACE_ID, name: 'Opening' });
      for (const id of ['x', 'y', 'z']) {
        h.space.createPage({ id, title: id });
        const page = await h.openPage(id);
        page.doc.getText('body').insert(0, `body ${id}`);
        await page.release();
      }
      await m.close();
    },
    layers: (f, stores) => [stores.get('a')!.clean(), f],
    async run(m, step) {
      const h = await m.openSpace(SPACE_ID);
      const texts = new Map<string, Y.Doc>();
      for (const p of h.space.listPages()) texts.set(p.id, (await h.openPage(p.id)).doc);
      await step(() => observeNow(h, texts));
    },
    reloadFrom: (stores) => [stores.get('b')!.clean()],
  },
];

/** Typing long enough to compact the store several times (run with a small compaction threshold). */
export const compactionScenario: Scenario = {
  name: 'compaction',
  maxWrites: 400,
  layers: (f) => [f],
  async run(m, step) {
    const h = await m.createSpace({ id: SPACE_ID, name: 'Compacting' });
    await step(() => observeNow(h, new Map()));
    const id = h.space.createPage({ id: 'long', title: 'Long' });
    const page = await h.openPage(id);
    const texts = new Map([[id, page.doc]]);
    const body = page.doc.getText('body');
    for (let i = 0; i < 48; i++) {
      if (i % 7 === 6 && body.length > 2) body.delete(body.length - 2, 1);
      else body.insert(body.length, String.fromCharCode(97 + (i % 26)));
      await step(() => observeNow(h, texts));
    }
  },
};

const POLL_MS = 5;
/** Bounds how long a run waits for the retries of 'once' mode to write the backlog. */
const EVENTUAL_WRITE_TIMEOUT_MS = 10_000;

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}

/** Runs one scenario with the k-th write failing; returns whether a fault was injected. */
export async function runWithFault(storage: StorageUnderTest, scenario: Scenario, at: number, mode: FaultMode): Promise<boolean> {
  const stores = new Map<string, FaultyStore>([['a', storage.store('a')], ['b', storage.store('b')]]);
  const faultyStoreName = scenario.reloadFrom ? 'b' : 'a';
  const where = `${storage.name} / ${scenario.name} / write ${at} fails ${mode}`;
  await scenario.prepare?.(storage, stores);
  const fault = stores.get(faultyStoreName)!.faulty({ at, mode });
  const m = new SpaceManager({ layers: scenario.layers(fault.factory, stores), ...storage.managerOptions });
  const run: ScenarioRun = { states: [], lastAcked: -1 };
  try {
    await scenario.run(m, async (observe) => {
      const index = run.states.push(observe()) - 1;
      const open = m.isOpen(SPACE_ID) ? await m.openSpace(SPACE_ID) : null;
      const acked = await (open ? open.flush() : Promise.reject(new Error('not open'))).then(
        () => true,
        () => false,
      );
      if (acked) run.lastAcked = index;
    });
  } catch (e) {
    // Creating the space itself may be refused (its first write failed): nothing was acknowledged.
    if (run.states.length > 0) throw new Error(`${where}: the scenario threw after its first step: ${String(e)}`, { cause: e });
  }
  const injected = fault.injected();
  if (mode === 'once' && run.states.length > 0) {
    const settled = await waitFor(() => m.status.snapshot().state === 'saved', EVENTUAL_WRITE_TIMEOUT_MS);
    expect(settled, `${where}: the backlog was never written (${JSON.stringify(m.status.snapshot().layers)})`).toBe(true);
  }
  expect(m.status.errors.length, `${where}: errors reported ${m.status.errors.map((e) => e.message).join('; ')}`).toBe(injected > 0 ? 1 : 0);
  const handle = m.isOpen(SPACE_ID) ? await m.openSpace(SPACE_ID).catch(() => null) : null;
  await handle?.abandon();

  const reload = new SpaceManager({ layers: scenario.reloadFrom?.(stores) ?? [stores.get(faultyStoreName)!.clean()] });
  const reopened = await reload.openSpace(SPACE_ID).catch((e: unknown) => e);
  if (reopened instanceof Error) {
    expect(run.lastAcked, `${where}: reload failed (${reopened.message}) although step ${run.lastAcked} was acknowledged`).toBe(-1);
  } else if (reopened && typeof reopened === 'object' && 'space' in reopened) {
    const h = reopened as SpaceHandle;
    const state = await observeSpace(h);
    // Before any acknowledgement, any state that loads is allowed; after one, only that step or a later one.
    const allowed = mode === 'once' ? run.states.slice(-1) : run.lastAcked < 0 ? [state] : run.states.slice(run.lastAcked);
    expect(holdsAcknowledged(state, allowed), `${where}: reloaded state lost an acknowledged edit (last acknowledged step ${run.lastAcked})`).toBeNull();
    await reload.close();
  }
  await storage.cleanup?.();
  return injected > 0;
}

export function runFaultScenarios(storage: StorageUnderTest, only: readonly Scenario[] = scenarios): void {
  describe(`fault injection: ${storage.name}`, () => {
    for (const scenario of only) {
      for (const mode of ['once', 'forever'] as const) {
        it(`${scenario.name}: fail write k ${mode}, for k = 1, 2, ... until no fault`, async () => {
          let k = 1;
          while (await runWithFault(storage, scenario, k, mode)) {
            k++;
            expect(k, `${scenario.name} still faults at write ${k}`).toBeLessThanOrEqual(scenario.maxWrites * (storage.requestsPerWrite ?? 1));
          }
          expect(k, 'at least one write was failed').toBeGreaterThan(1);
          console.log(`fault injection: ${storage.name} / ${scenario.name} / ${mode}: ${k - 1} runs with a failed write, then one clean`);
        });
      }
    }
  });
}
