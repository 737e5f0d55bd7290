/**
 * Convergence fuzz of the page tree and page contents.
 *
 * 3 to 5 replicas, each a Space over its own space document plus one Y.Doc per page, apply random commands
 * (create, rename, move including attempts at cycles, trash, restore, delete forever, icons, and text edits in
 * page documents) and exchange updates through a simulated network that drops, duplicates, reorders and
 * delays messages. Replicas go offline (they keep editing), come back (a state-vector sync, itself over the
 * lossy network) and restart (every document rebuilt from the updates the replica had stored). After
 * healing (everything delivered to everyone), all replicas must hold the same pages, the same tree and the
 * same page contents, with no broken invariant, and the projection each one built from its change events
 * must equal its pages.
 *
 * Everything is driven by one seed (mulberry32): a failure prints its seed; FUZZ_SEED=n replays one seed,
 * EXTENSIVE=1 runs many more seeds with more operations, FUZZ_RUNS=n sets the number of seeds.
 */
import { describe, expect, it } from 'vitest';
import { seededSuite } from './seededSuite.ts';
import * as Y from 'yjs';
import { ErrorCode } from '../errors.ts';
import { Space } from '../space/Space.ts';
import type { PageChange, PageRecord } from '../space/Space.ts';
import { PAGES_MAP, readRawPage } from '../space/schema.ts';
import type { RawPage } from '../space/schema.ts';
import { mulberry32 } from './prng.ts';
import type { Prng } from './prng.ts';
import { attempt, expectedMoveError, pickPage, randomTitle } from './spaceCommands.ts';

// Test-only knobs (this file only ever runs under Vitest in Node).
const ENV = process.env;
const EXTENSIVE = ENV.EXTENSIVE === '1';
/** Seeds in the default suite; every one is a full scenario with its own replicas. */
const DEFAULT_RUNS = 500;
/** Seeds with EXTENSIVE=1. */
const EXTENSIVE_RUNS = 10_000;
/** Seeds per test case: failures of a batch are reported together, by seed. */
const BATCH = 50;
/** Steps (commands and network events) per run. */
const STEPS = EXTENSIVE ? 160 : 60;
/** Greatest delay of a message, in steps. */
const MAX_DELAY = 8;

const SPACE_DOC = 'space';
const NET = Symbol('net');

interface Message {
  readonly to: number;
  readonly docId: string;
  readonly update: Uint8Array;
  readonly at: number;
}

interface Replica {
  readonly index: number;
  online: boolean;
  /** What the replica persisted, per document, in storage order: the only thing that survives a restart. */
  readonly stored: Map<string, Uint8Array[]>;
  space: Space;
  docs: Map<string, Y.Doc>;
  /** Pages as seen through change events only. */
  projection: Map<string, PageRecord>;
}

class World {
  readonly replicas: Replica[] = [];
  private inflight: Message[] = [];
  private time = 0;
  private nextClient = 1;
  private nextPage = 0;
  readonly log: string[] = [];

  constructor(
    readonly rng: Prng,
    count: number,
  ) {
    for (let i = 0; i < count; i++) {
      const replica: Replica = { index: i, online: true, stored: new Map(), space: undefined as unknown as Space, docs: new Map(), projection: new Map() };
      this.replicas.push(replica);
      this.boot(replica, i === 0 ? 'create' : 'empty');
    }
    // Replicas other than the first start from the first one's state, like joining a shared space.
    const first = this.replicas[0]!;
    for (const r of this.replicas.slice(1)) this.receive(r, SPACE_DOC, Y.encodeStateAsUpdate(first.space.doc));
  }

  newPageId(): string {
    return `p${this.nextPage++}`;
  }

  private newDoc(): Y.Doc {
    const doc = new Y.Doc();
    doc.clientID = this.nextClient++;
    return doc;
  }

  /** Builds a replica's documents from its stored updates (a start or a restart). */
  private boot(r: Replica, mode: 'create' | 'empty' | 'restart'): void {
    const spaceDoc = this.newDoc();
    for (const u of r.stored.get(SPACE_DOC) ?? []) Y.applyUpdate(spaceDoc, u, NET);
    this.bindDoc(r, SPACE_DOC, spaceDoc);
    r.space = mode === 'create' ? Space.create(spaceDoc, { id: 'fuzz', name: 'Fuzz', now: () => this.time }) : new Space(spaceDoc, { id: 'fuzz', now: () => this.time });
    r.docs = new Map();
    for (const [docId, updates] of r.stored) {
      if (docId === SPACE_DOC) continue;
      const doc = this.newDoc();
      for (const u of updates) Y.applyUpdate(doc, u, NET);
      this.bindDoc(r, docId, doc);
      r.docs.set(docId, doc);
    }
    r.projection = new Map(r.space.listPages().map((p) => [p.id, p]));
    r.space.observe((changes) => this.onChanges(r, changes));
  }

  restart(r: Replica): void {
    r.space.doc.destroy();
    for (const doc of r.docs.values()) doc.destroy();
    this.boot(r, 'restart');
  }

  private bindDoc(r: Replica, docId: string, doc: Y.Doc): void {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === NET) return;
      this.store(r, docId, update);
      this.broadcast(r, docId, update);
    });
  }

  private store(r: Replica, docId: string, update: Uint8Array): void {
    let list = r.stored.get(docId);
    if (!list) r.stored.set(docId, (list = []));
    list.push(update);
  }

  private onChanges(r: Replica, changes: PageChange[]): void {
    for (const c of changes) {
      if (c.type === 'space-updated') continue;
      if (c.type === 'page-deleted') {
        r.projection.delete(c.pageId);
        // The caller deletes the documents of pages deleted forever, here and on every replica that learns it.
        this.dropPageDoc(r, c.pageId);
      } else {
        r.projection.set(c.page.id, c.page);
      }
    }
  }

  dropPageDoc(r: Replica, pageId: string): void {
    r.docs.get(pageId)?.destroy();
    r.docs.delete(pageId);
    r.stored.delete(pageId);
  }

  pageDoc(r: Replica, pageId: string): Y.Doc {
    let doc = r.docs.get(pageId);
    if (!doc) {
      doc = this.newDoc();
      this.bindDoc(r, pageId, doc);
      r.docs.set(pageId, doc);
    }
    return doc;
  }

  docOf(r: Replica, docId: string): Y.Doc {
    return docId === SPACE_DOC ? r.space.doc : this.pageDoc(r, docId);
  }

  /** Applies bytes that came from the network, and stores them as they came (a store persists what it gets). */
  receive(r: Replica, docId: string, update: Uint8Array): void {
    this.store(r, docId, update);
    Y.applyUpdate(this.docOf(r, docId), update, NET);
  }

  private send(from: number, to: number, docId: string, update: Uint8Array): void {
    const { rng } = this;
    if (rng.chance(0.1)) return; // dropped
    const copies = rng.chance(0.1) ? 2 : 1; // duplicated
    for (let i = 0; i < copies; i++) this.inflight.push({ to, docId, update, at: this.time + rng.int(MAX_DELAY + 1) });
    void from;
  }

  private broadcast(from: Replica, docId: string, update: Uint8Array): void {
    if (!from.online) return;
    for (const r of this.replicas) if (r !== from && r.online) this.send(from.index, r.index, docId, update);
  }

  /** A reconnect: each side sends what the other's state vector lacks, over the same lossy network. */
  syncOver(a: Replica, b: Replica): void {
    const docIds = new Set([SPACE_DOC, ...a.docs.keys(), ...b.docs.keys()]);
    for (const docId of docIds) {
      const da = this.docOf(a, docId);
      const db = this.docOf(b, docId);
      this.send(a.index, b.index, docId, Y.encodeStateAsUpdate(da, Y.encodeStateVector(db)));
      this.send(b.index, a.index, docId, Y.encodeStateAsUpdate(db, Y.encodeStateVector(da)));
    }
  }

  /** A lossless exchange of one document between two replicas, stored by the receivers like any delivery. */
  directSync(a: Replica, b: Replica, docId: string): void {
    const da = this.docOf(a, docId);
    const db = this.docOf(b, docId);
    const toB = Y.encodeStateAsUpdate(da, Y.encodeStateVector(db));
    const toA = Y.encodeStateAsUpdate(db, Y.encodeStateVector(da));
    this.receive(b, docId, toB);
    this.receive(a, docId, toA);
  }

  /** Delivers due messages (in random order) to online replicas; messages to offline ones are lost. */
  deliver(max: number): void {
    const due = this.inflight.filter((m) => m.at <= this.time);
    if (due.length === 0) return;
    const chosen = new Set<Message>();
    for (let i = 0; i < max && chosen.size < due.length; i++) chosen.add(due[this.rng.int(due.length)]!);
    this.inflight = this.inflight.filter((m) => !chosen.has(m));
    for (const m of chosen) {
      const r = this.replicas[m.to]!;
      if (r.online) this.receive(r, m.docId, m.update);
    }
  }

  tick(): void {
    this.time++;
  }

  /** Everyone online, every message delivered, then reliable state-vector syncs until nothing is missing. */
  heal(): void {
    for (const r of this.replicas) r.online = true;
    for (const m of this.inflight) this.receive(this.replicas[m.to]!, m.docId, m.update);
    this.inflight = [];
    for (let round = 0; round < 2; round++) {
      for (const a of this.replicas) for (const b of this.replicas) if (a !== b) reliableSync(a.space.doc, b.space.doc);
    }
    const live = new Set(this.replicas[0]!.space.listPages().map((p) => p.id));
    for (const pageId of live) {
      for (const a of this.replicas) for (const b of this.replicas) if (a !== b) reliableSync(this.pageDoc(a, pageId), this.pageDoc(b, pageId));
    }
  }
}

function reliableSync(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), NET);
}

// ---- random commands

function editPage(rng: Prng, doc: Y.Doc): void {
  const fragment = doc.getXmlFragment('default');
  doc.transact(() => {
    const n = fragment.length;
    const choice = rng.int(10);
    if (n === 0 || choice < 3) {
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText(randomTitle(rng))]);
      fragment.insert(rng.int(n + 1), [paragraph]);
    } else if (choice < 9) {
      const paragraph = fragment.get(rng.int(n));
      const text = paragraph instanceof Y.XmlElement ? paragraph.get(0) : undefined;
      if (!(text instanceof Y.XmlText)) return;
      const len = text.length;
      if (len > 0 && rng.chance(0.4)) {
        const at = rng.int(len);
        text.delete(at, 1 + rng.int(Math.min(3, len - at)));
      } else {
        text.insert(rng.int(len + 1), rng.pick(['a', 'b', 'xyz', ' ', 'é', '🙂']));
      }
    } else {
      fragment.delete(rng.int(n), 1);
    }
  });
}

function randomCommand(world: World, r: Replica, seen: Set<keyof Coverage>): void {
  const { rng } = world;
  const space = r.space;
  const roll = rng.int(100);
  if (roll < 22) {
    const pages = space.listPages();
    const parent = pages.length > 0 && rng.chance(0.6) ? rng.pick(pages) : null;
    const siblings = parent && !parent.inTrash ? space.children(parent.id).length : space.children(null).length;
    const id = world.newPageId();
    const expected = parent?.inTrash ? ErrorCode.InvalidOperation : null;
    attempt(() => void space.createPage({ id, parentId: parent?.id ?? null, title: randomTitle(rng), index: rng.int(siblings + 2) }), expected, `create ${id}`);
    if (expected === null) editPage(rng, world.pageDoc(r, id));
  } else if (roll < 30) {
    const id = pickPage(rng, space);
    attempt(() => space.renamePage(id, randomTitle(rng)), space.getPage(id) ? null : ErrorCode.NotFound, `rename ${id}`);
  } else if (roll < 52) {
    const id = pickPage(rng, space);
    const pages = space.listPages();
    // Often pick a page near `id` so that attempts to move into its own subtree (and cycles across replicas) are common.
    const parentId = rng.chance(0.2) || pages.length === 0 ? null : rng.chance(0.3) ? (space.getPage(id)?.parentId ?? null) : rng.pick(pages).id;
    const index = rng.int(6);
    const expected = expectedMoveError(space, id, parentId);
    if (expected !== null) seen.add('refusedMoves');
    attempt(() => space.movePage(id, parentId, index), expected, `move ${id} under ${String(parentId)}`);
  } else if (roll < 59) {
    const id = pickPage(rng, space);
    attempt(() => space.trashPage(id), space.getPage(id) ? null : ErrorCode.NotFound, `trash ${id}`);
  } else if (roll < 65) {
    const trash = space.trash();
    const id = trash.length > 0 && rng.chance(0.8) ? rng.pick(trash).id : pickPage(rng, space);
    attempt(() => space.restorePage(id), space.getPage(id) ? null : ErrorCode.NotFound, `restore ${id}`);
  } else if (roll < 69) {
    const id = pickPage(rng, space);
    const known = space.getPage(id) !== undefined;
    let ids: string[] = [];
    attempt(() => (ids = space.deletePageForever(id)), known ? null : ErrorCode.NotFound, `delete ${id}`);
    for (const pageId of ids) world.dropPageDoc(r, pageId);
    if (ids.length > 0) seen.add('deletes');
  } else if (roll < 73) {
    const id = pickPage(rng, space);
    const known = space.getPage(id) !== undefined;
    const which = rng.int(3);
    // Link targets need not exist (a link may outlive its target); concurrent lists: one wins, the same everywhere.
    const targets = which === 2 ? Array.from({ length: rng.int(3) }, () => pickPage(rng, space)) : [];
    attempt(
      () => (which === 0 ? space.setPageIcon(id, rng.pick([null, '📄', '🔥'])) : which === 1 ? space.touchPage(id) : space.setPageLinks(id, targets)),
      known ? null : ErrorCode.NotFound,
      `icon, touch or links ${id}`,
    );
  } else if (roll < 75) {
    space.rename(randomTitle(rng));
  } else {
    const pages = space.listPages();
    if (pages.length === 0) return;
    editPage(rng, world.pageDoc(r, rng.pick(pages).id));
  }
}

/** What the runs exercised: each field counts runs in which it happened at least once. */
interface Coverage {
  runs: number;
  /** A loop of raw parents existed (concurrent moves), so rule 2 broke it. */
  cycles: number;
  /** A raw parent named a page deleted forever, so rule 1 reattached a page. */
  orphans: number;
  /** Two siblings shared an order key. */
  ties: number;
  refusedMoves: number;
  restarts: number;
  deletes: number;
  /** Page contents compared after healing were not all empty. */
  contents: number;
}
const coverage: Coverage = { runs: 0, cycles: 0, orphans: 0, ties: 0, refusedMoves: 0, restarts: 0, deletes: 0, contents: 0 };

function rawPages(r: Replica): Map<string, RawPage> {
  const raw = new Map<string, RawPage>();
  r.space.doc.getMap<unknown>(PAGES_MAP).forEach((value, id) => {
    const page = readRawPage(id, value);
    if (page) raw.set(id, page);
  });
  return raw;
}

/** The loops of raw parents in a replica's document, each as its sorted member ids. */
function rawLoops(r: Replica): Set<string> {
  const raw = rawPages(r);
  const loops = new Set<string>();
  for (const page of raw.values()) {
    const path: string[] = [];
    for (let cur: string | null = page.id; cur !== null; cur = raw.get(cur)?.parent ?? null) {
      const at = path.indexOf(cur);
      if (at >= 0) {
        loops.add(path.slice(at).sort().join(','));
        break;
      }
      path.push(cur);
    }
  }
  return loops;
}

/** A local command never closes a loop of raw parents: loops only come from merging concurrent moves. */
function expectNoNewLoop(r: Replica, before: Set<string>, what: string): void {
  for (const loop of rawLoops(r)) if (!before.has(loop)) throw new Error(`replica ${r.index}: ${what} closed the loop ${loop}`);
}

/** Notes which rules the current state of a replica exercises. */
function observeRules(r: Replica, seen: Set<keyof Coverage>): void {
  const raw = rawPages(r);
  for (const page of raw.values()) if (page.parent !== null && !raw.has(page.parent)) seen.add('orphans');
  if (rawLoops(r).size > 0) seen.add('cycles');
  const keys = new Set<string>();
  for (const p of r.space.listPages()) {
    const key = `${String(p.parentId)}\u0000${p.order}`;
    if (keys.has(key)) seen.add('ties');
    keys.add(key);
  }
}

/**
 * Two replicas move two pages under each other "at the same time" (neither has the other's move yet): the
 * classic concurrent cycle. With three replicas, a three-page loop.
 */
function crossMoves(world: World, seen: Set<keyof Coverage>): void {
  const { rng } = world;
  const movers = [...world.replicas].sort(() => rng.next() - 0.5).slice(0, rng.chance(0.3) ? 3 : 2);
  // They were in sync a moment ago (so they know the same pages), then both move before hearing of the other.
  for (const a of movers) for (const b of movers) if (a !== b) world.directSync(a, b, SPACE_DOC);
  const shared = movers[0]!.space.listPages().filter((p) => movers.every((m) => m.space.getPage(p.id)?.inTrash === false));
  // Prefer pages that each replica may move where asked, so that the loop really forms.
  for (let tries = 0; tries < 5 && shared.length >= movers.length; tries++) {
    const pages = [...shared].sort(() => rng.next() - 0.5).slice(0, movers.length);
    const moves = movers.map((m, i) => ({ m, id: pages[i]!.id, parentId: pages[(i + 1) % pages.length]!.id }));
    if (tries < 4 && moves.some(({ m, id, parentId }) => expectedMoveError(m.space, id, parentId) !== null)) continue;
    for (const { m, id, parentId } of moves) {
      const expected = expectedMoveError(m.space, id, parentId);
      if (expected !== null) seen.add('refusedMoves');
      const loops = rawLoops(m);
      attempt(() => m.space.movePage(id, parentId, rng.int(3)), expected, `cross move ${id} under ${parentId}`);
      expectNoNewLoop(m, loops, `cross move ${id} under ${parentId}`);
    }
    return;
  }
}

function checkReplica(r: Replica, when: string): void {
  const problems = r.space.checkInvariants();
  if (problems.length > 0) throw new Error(`replica ${r.index} ${when}: ${problems.join('; ')}`);
}

function byId(records: Iterable<PageRecord>): PageRecord[] {
  return [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Runs one seeded scenario; throws (with the step log) on any divergence or broken invariant. */
export function runScenario(seed: number, steps = STEPS): void {
  const rng = mulberry32(seed);
  const world = new World(rng, 3 + rng.int(3));
  const seen = new Set<keyof Coverage>();
  for (let step = 0; step < steps; step++) {
    const roll = rng.int(100);
    const r = rng.pick(world.replicas);
    if (roll < 55) {
      const loops = rawLoops(r);
      randomCommand(world, r, seen);
      expectNoNewLoop(r, loops, `step ${step}`);
    } else if (roll < 60) {
      crossMoves(world, seen);
    } else if (roll < 85) {
      world.deliver(1 + rng.int(6));
    } else if (roll < 93) {
      r.online = !r.online;
      if (r.online) for (const other of world.replicas) if (other !== r && other.online) world.syncOver(r, other);
    } else {
      world.restart(r);
      seen.add('restarts');
    }
    checkReplica(r, `after step ${step}`);
    observeRules(r, seen);
    world.tick();
  }
  world.heal();
  const [first, ...rest] = world.replicas as [Replica, ...Replica[]];
  const expectedPages = first.space.listPages();
  for (const r of world.replicas) {
    checkReplica(r, 'after healing');
    expect(r.space.listPages(), `replica ${r.index} pages`).toEqual(expectedPages);
    expect(r.space.meta(), `replica ${r.index} meta`).toEqual(first.space.meta());
    expect(byId(r.projection.values()), `replica ${r.index} projection from events`).toEqual(byId(expectedPages));
    // A space over a fresh document holding the same state computes the same tree.
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(r.space.doc));
    expect(new Space(fresh, { id: 'fuzz' }).listPages(), `replica ${r.index} reloaded`).toEqual(expectedPages);
  }
  for (const page of expectedPages) {
    const content = world.pageDoc(first, page.id).getXmlFragment('default').toJSON();
    if (content.length > 0) seen.add('contents');
    for (const r of rest) expect(world.pageDoc(r, page.id).getXmlFragment('default').toJSON(), `replica ${r.index} content of ${page.id}`).toBe(content);
  }
  coverage.runs++;
  for (const r of world.replicas) observeRules(r, seen);
  for (const key of seen) coverage[key]++;
}


seededSuite({
  name: 'convergence fuzz',
  run: (seed) => runScenario(seed),
  defaultRuns: DEFAULT_RUNS,
  extensiveRuns: EXTENSIVE_RUNS,
  batch: BATCH,
  after(runs) {
    // Fails if changes to the generator stop it from reaching the rules it exists to test.
    it('exercised every rule in a fair share of runs', () => {
      console.log('convergence fuzz coverage (runs in which it happened):', coverage);
      expect(coverage.runs).toBe(runs);
      for (const key of ['cycles', 'orphans', 'ties', 'refusedMoves', 'restarts', 'deletes', 'contents'] as const) {
        expect(coverage[key], key).toBeGreaterThanOrEqual(Math.floor(runs / 50));
      }
    });
  },
});

describe('convergence fuzz regressions', () => {
  // A page deleted forever was still in its parent's sorted children while a sibling was inserted beside it.
  it('seed 451: deletion and insertion under the same parent in one remote batch', () => runScenario(451));
});
