/**
 * The world of the manager convergence fuzz (managerConvergence.test.ts): three replicas, each a real
 * SpaceManager over its own disk and a SimNetwork, the commands a step can run on them, restarts (clean or a
 * crash) with their checks, and healing.
 */
import * as Y from 'yjs';
import { ErrorCode, PersistenceError, SpaceError } from '../errors.ts';
import type { SpaceHandle } from '../manager/SpaceHandle.ts';
import { SpaceManager } from '../manager/SpaceManager.ts';
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import { SPACE_DOC_ID } from '../persistence/PersistenceLayer.ts';
import type { DocId } from '../persistence/PersistenceLayer.ts';
import type { ChangeOrigin, PageChange } from '../space/Space.ts';
import { ManualClock } from './ManualClock.ts';
import { DRIVE_LIMIT, EAGER_RELEASE, ENV, FAST, RELAY_ONLY, REPLICAS, SPACE_ID, lostFrom, settle, type Coverage, type Replica } from './managerFuzz.ts';
import type { Prng } from './prng.ts';
import { DEFAULT_NETWORK, DeferredLayer, SimNetwork } from './SimNetwork.ts';
import { attempt, expectedMoveError, pickPage, randomTitle } from './spaceCommands.ts';

export class ManagerFuzzWorld {
  readonly clock = new ManualClock();
  readonly network: SimNetwork;
  readonly replicas: Replica[] = [];
  readonly seen = new Set<keyof Coverage>();
  readonly log: string[] = [];
  /** Unexpected failures of background work (page opens and releases). */
  readonly errors: string[] = [];
  /** Every manager made, with how many of its status errors are checked (all, or those before a crash). */
  private readonly managers: { replica: number; manager: SpaceManager; checkedErrors: number | null }[] = [];
  private nextClient = 1;
  private nextPage = 0;
  step = 0;

  constructor(
    readonly seed: number,
    readonly rng: Prng,
  ) {
    this.network = new SimNetwork(rng, (i, docId) => this.docOf(this.replicas[i]!, docId), { ...DEFAULT_NETWORK, relayOnly: RELAY_ONLY });
    for (let i = 0; i < REPLICAS; i++) {
      this.replicas.push({ index: i, store: new MemoryStore(), manager: null, disk: null, handle: null, pages: new Map(), opening: new Map(), releases: [], unobserve: null, acked: new Map(), downUntil: 0, comeback: null });
    }
  }

  fail(message: string): never {
    throw new Error(`seed ${this.seed}, step ${this.step}: ${message}\n  last steps: ${this.log.slice(-12).join(' | ')}`);
  }

  note(what: string): void {
    if (ENV.FUZZ_DEBUG) console.log(`${this.step}:${what}`);
    this.log.push(`${this.step}:${what}`);
  }

  newPageId(): string {
    return `p${this.nextPage++}`;
  }

  /** The current document of a replica (what the network answers follows and snapshot loads from). */
  docOf(r: Replica, docId: DocId): Y.Doc | undefined {
    const h = r.handle;
    if (!h || h.isClosed) return undefined;
    return h.syncOf(docId)?.doc;
  }

  live(): Replica[] {
    return this.replicas.filter((r) => r.handle !== null);
  }

  /**
   * Awaits `p` while letting the world run: the disk of `r` (or every disk) commits, the network accepts
   * the sends of `r` (or everyone's) and the clock moves, so flushes and closes (which wait for every
   * layer) complete.
   */
  async drive<T>(p: Promise<T>, r?: Replica): Promise<T> {
    let done = false;
    void p.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < DRIVE_LIMIT; i++) {
      await settle();
      if (done) return p;
      for (const x of r ? [r] : this.replicas) x.disk?.commit();
      this.network.acceptAll(r?.index);
      this.clock.advance(1);
    }
    return this.fail(`an operation of replica ${r?.index ?? '-'} never settled`);
  }

  private newManager(r: Replica): SpaceManager {
    const manager = new SpaceManager({
      layers: [(spaceId) => (r.disk = new DeferredLayer(new MemoryLayer(spaceId, r.store, 'memory'))), this.network.factory(r.index)],
      clock: this.clock,
      ...FAST,
    });
    this.managers.push({ replica: r.index, manager, checkedErrors: null });
    return manager;
  }

  /** Starts a replica: creates the space (replica 0), joins it (a snapshot from the others) or reopens it. */
  async start(r: Replica, mode: 'create' | 'join' | 'reopen'): Promise<void> {
    const m = this.newManager(r);
    r.manager = m;
    let h: SpaceHandle;
    if (mode === 'create') {
      h = await this.drive(m.createSpace({ id: SPACE_ID, name: 'Fuzz' }), r);
    } else {
      this.network.joining = mode === 'join';
      try {
        h = await this.drive(m.openSpace(SPACE_ID), r);
      } finally {
        this.network.joining = false;
      }
    }
    h.doc.clientID = this.nextClient++;
    r.handle = h;
    r.unobserve = h.space.observe((changes, origin) => this.onChanges(r, h, changes, origin));
    for (const p of h.space.listPages()) this.openPage(r, h, p.id);
    await this.settleOpens();
  }

  private onChanges(r: Replica, h: SpaceHandle, changes: PageChange[], origin: ChangeOrigin): void {
    if (r.handle !== h) return;
    for (const c of changes) {
      if (c.type === 'page-created') this.openPage(r, h, c.page.id);
      else if (c.type === 'page-deleted') {
        r.acked.delete(c.pageId);
        const page = r.pages.get(c.pageId);
        if (!page) continue;
        r.pages.delete(c.pageId);
        this.note(`r${r.index} ${origin} page-deleted ${c.pageId}, release`);
        // A page deleted here is closed by deletePageForever itself; one deleted elsewhere is released, as the UI does.
        if (origin !== 'remote') continue;
        if (EAGER_RELEASE) this.background(page.release(), r, h, `release ${c.pageId}`);
        else r.releases.push(page);
      }
    }
  }

  /** Opens a page on a replica (once per handle) and assigns its document the next client id. */
  openPage(r: Replica, h: SpaceHandle, id: string): void {
    if (r.handle !== h || r.pages.has(id) || r.opening.has(id)) return;
    const opening: Promise<void> = h
      .openPage(id)
      .then((page) => {
        if (r.handle !== h || !h.space.getPage(id) || r.pages.has(id)) {
          this.background(page.release(), r, h, `release ${id}`);
          return;
        }
        page.doc.clientID = this.nextClient++;
        r.pages.set(id, page);
      })
      .catch((e: unknown) => this.unexpected(e, r, h, `open ${id}`))
      .finally(() => {
        if (r.opening.get(id) === opening) r.opening.delete(id);
      });
    r.opening.set(id, opening);
  }

  private background(p: Promise<unknown>, r: Replica, h: SpaceHandle, what: string): void {
    void p.catch((e: unknown) => this.unexpected(e, r, h, what));
  }

  /** Records a failure of background work, unless the handle is gone (closed, crashed). */
  private unexpected(e: unknown, r: Replica, h: SpaceHandle, what: string): void {
    if (r.handle !== h || h.isClosed) return;
    this.errors.push(`seed ${this.seed}, step ${this.step}: replica ${r.index}: ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** Releases the pages deleted elsewhere, each to completion. */
  async finishReleases(): Promise<void> {
    for (const r of this.replicas) {
      const h = r.handle;
      while (h && r.handle === h && r.releases.length > 0) {
        const page = r.releases.shift()!;
        await this.drive(page.release(), r).catch((e: unknown) => this.unexpected(e, r, h, `release ${page.pageId}`));
      }
    }
  }

  async settleOpens(): Promise<void> {
    for (let i = 0; i < DRIVE_LIMIT; i++) {
      await settle();
      if (this.replicas.every((r) => r.opening.size === 0)) return;
    }
    this.fail('page opens never settled');
  }

  /** The states (state vector and delete set) of a replica's open documents. */
  states(r: Replica): Map<DocId, Y.Snapshot> {
    const out = new Map<DocId, Y.Snapshot>([[SPACE_DOC_ID, Y.snapshot(r.handle!.doc)]]);
    for (const [id, page] of r.pages) out.set(id, Y.snapshot(page.doc));
    return out;
  }

  texts(r: Replica): Map<string, string> {
    return new Map([...r.pages].map(([id, page]) => [id, page.doc.getText('body').toString()]));
  }

  // ---- steps

  async flush(r: Replica): Promise<void> {
    const states = this.states(r);
    await this.drive(r.handle!.flush(), r);
    for (const [id, state] of states) r.acked.set(id, state);
  }

  async cleanClose(r: Replica): Promise<void> {
    const h = r.handle!;
    const before = { pages: h.space.listPages(), texts: this.texts(r), states: this.states(r) };
    await this.drive(r.manager!.closeSpace(SPACE_ID), r);
    // A clean close flushed everything: it all counts as acknowledged.
    for (const [id, state] of before.states) r.acked.set(id, state);
    this.takeDown(r);
    r.comeback = { kind: 'clean', ...before };
    this.seen.add('cleanRestarts');
  }

  async crash(r: Replica): Promise<void> {
    const h = r.handle!;
    const entry = this.managers.find((e) => e.manager === r.manager)!;
    entry.checkedErrors = r.manager!.status.errors.length;
    const lost = this.network.stats.lostInCrash;
    this.network.crash(r.index);
    if (this.network.stats.lostInCrash > lost) this.seen.add('lostInCrash');
    if (r.disk!.pendingWrites > 0) this.seen.add('lostWrites');
    r.disk!.crash();
    this.takeDown(r);
    await h.abandon();
    r.comeback = { kind: 'crash' };
    this.seen.add('crashes');
  }

  private takeDown(r: Replica): void {
    r.unobserve?.();
    r.unobserve = null;
    r.handle = null;
    r.manager = null;
    r.disk = null;
    r.pages.clear();
    r.opening.clear();
    r.releases = [];
  }

  /** Brings a replica back and checks what it reopened against what it had before going down. */
  async comeBack(r: Replica): Promise<void> {
    const snapshots = this.network.stats.snapshots;
    await this.start(r, 'reopen');
    const h = r.handle!;
    const comeback = r.comeback;
    r.comeback = null;
    this.note(`r${r.index} back`);
    if (comeback?.kind === 'clean' && this.network.stats.snapshots === snapshots) {
      // Nothing arrived from elsewhere yet: the replica reopens exactly as it closed.
      this.seen.add('exactReopens');
      const pages = h.space.listPages();
      if (JSON.stringify(pages) !== JSON.stringify(comeback.pages)) this.fail(`replica ${r.index} reopened another tree after a clean close:\n${JSON.stringify(pages)}\nvs\n${JSON.stringify(comeback.pages)}`);
      for (const [id, text] of comeback.texts) {
        if (!h.space.getPage(id)) continue;
        const got = r.pages.get(id)?.doc.getText('body').toString();
        if (got !== text) this.fail(`replica ${r.index} page ${id} reopened as ${JSON.stringify(got)} after a clean close, closed as ${JSON.stringify(text)}`);
      }
      for (const [id, before] of comeback.states) {
        const doc = id === SPACE_DOC_ID ? h.doc : r.pages.get(id)?.doc;
        if (!doc) continue;
        const now = Y.snapshot(doc);
        const diff = lostFrom(now, before) ?? lostFrom(before, now);
        if (diff) this.fail(`replica ${r.index} document ${id} reopened at another state after a clean close: ${diff}`);
      }
    }
    // Every acknowledged edit survived (a crash, or a clean close).
    let pagesChecked = 0;
    for (const [id, acked] of r.acked) {
      if (id !== SPACE_DOC_ID && !h.space.getPage(id)) continue; // deleted forever (its deletion is in the acknowledged tree)
      const doc = id === SPACE_DOC_ID ? h.doc : r.pages.get(id)?.doc;
      if (!doc) this.fail(`replica ${r.index}: acknowledged page ${id} is in the reopened tree but did not open`);
      const missing = lostFrom(Y.snapshot(doc), acked);
      if (missing) this.fail(`replica ${r.index} lost acknowledged edits of ${id} in a ${comeback?.kind ?? '?'} restart: ${missing}`);
      if (id !== SPACE_DOC_ID && acked.sv.size > 0) pagesChecked++;
    }
    if (comeback?.kind === 'crash' && pagesChecked > 0) this.seen.add('crashPageChecks');
  }

  treeCommand(r: Replica): Promise<void> | void {
    const { rng } = this;
    const h = r.handle!;
    const space = h.space;
    const roll = rng.int(100);
    if (roll < 30) {
      const pages = space.listPages();
      const parent = pages.length > 0 && rng.chance(0.6) ? rng.pick(pages) : null;
      const siblings = parent && !parent.inTrash ? space.children(parent.id).length : space.children(null).length;
      const id = this.newPageId();
      const expected = parent?.inTrash ? ErrorCode.InvalidOperation : null;
      this.note(`r${r.index} create ${id}`);
      attempt(() => void space.createPage({ id, parentId: parent?.id ?? null, title: randomTitle(rng), index: rng.int(siblings + 2) }), expected, `create ${id}`);
    } else if (roll < 40) {
      const id = pickPage(rng, space);
      this.note(`r${r.index} rename ${id}`);
      attempt(() => space.renamePage(id, randomTitle(rng)), space.getPage(id) ? null : ErrorCode.NotFound, `rename ${id}`);
    } else if (roll < 65) {
      const id = pickPage(rng, space);
      const pages = space.listPages();
      const parentId = rng.chance(0.2) || pages.length === 0 ? null : rng.chance(0.3) ? (space.getPage(id)?.parentId ?? null) : rng.pick(pages).id;
      this.note(`r${r.index} move ${id} under ${String(parentId)}`);
      attempt(() => space.movePage(id, parentId, rng.int(6)), expectedMoveError(space, id, parentId), `move ${id} under ${String(parentId)}`);
    } else if (roll < 75) {
      const id = pickPage(rng, space);
      this.note(`r${r.index} trash ${id}`);
      attempt(() => space.trashPage(id), space.getPage(id) ? null : ErrorCode.NotFound, `trash ${id}`);
    } else if (roll < 83) {
      const trash = space.trash();
      const id = trash.length > 0 && rng.chance(0.8) ? rng.pick(trash).id : pickPage(rng, space);
      this.note(`r${r.index} restore ${id}`);
      attempt(() => space.restorePage(id), space.getPage(id) ? null : ErrorCode.NotFound, `restore ${id}`);
    } else if (roll < 92) {
      return this.deleteForever(r, pickPage(rng, space));
    } else if (roll < 96) {
      const id = pickPage(rng, space);
      this.note(`r${r.index} icon ${id}`);
      attempt(() => space.setPageIcon(id, rng.pick([null, '📄', '🔥'])), space.getPage(id) ? null : ErrorCode.NotFound, `icon ${id}`);
    } else {
      this.note(`r${r.index} rename space`);
      space.rename(randomTitle(rng));
    }
  }

  private async deleteForever(r: Replica, id: string): Promise<void> {
    const h = r.handle!;
    const known = h.space.getPage(id) !== undefined;
    this.note(`r${r.index} delete ${id}`);
    try {
      const ids = await this.drive(h.deletePageForever(id), r);
      if (!known) this.fail(`deletePageForever(${id}) of an unknown page succeeded`);
      if (ids[0] !== id) this.fail(`deletePageForever(${id}) returned ${ids.join(',')}`);
      for (const pageId of ids) if (h.space.getPage(pageId)) this.fail(`page ${pageId} is still in the tree after deletePageForever(${id})`);
      this.seen.add('deletes');
    } catch (e) {
      if (known || !(e instanceof SpaceError) || e.code !== ErrorCode.NotFound) throw e;
    }
  }

  /** Two or three replicas, in sync a moment ago, move pages under each other concurrently (a loop when merged). */
  crossMoves(): void {
    const { rng } = this;
    const live = this.live();
    if (live.length < 2) return;
    const movers = [...live].sort(() => rng.next() - 0.5).slice(0, rng.chance(0.3) ? 3 : 2);
    for (const a of movers) for (const b of movers) if (a !== b) this.exchange(a, b, SPACE_DOC_ID, 'sync');
    const shared = movers[0]!.handle!.space.listPages().filter((p) => movers.every((m) => m.handle!.space.getPage(p.id)?.inTrash === false));
    if (shared.length < movers.length) return;
    const pages = [...shared].sort(() => rng.next() - 0.5).slice(0, movers.length);
    this.note(`cross moves ${movers.map((m, i) => `r${m.index}:${pages[i]!.id}->${pages[(i + 1) % pages.length]!.id}`).join(' ')}`);
    movers.forEach((m, i) => {
      const id = pages[i]!.id;
      const parentId = pages[(i + 1) % pages.length]!.id;
      attempt(() => m.handle!.space.movePage(id, parentId, rng.int(3)), expectedMoveError(m.handle!.space, id, parentId), `cross move ${id} under ${parentId}`);
    });
  }

  editText(r: Replica): void {
    const { rng } = this;
    const open = [...r.pages.keys()];
    if (open.length === 0) return;
    const id = rng.pick(open);
    const text = r.pages.get(id)!.doc.getText('body');
    this.note(`r${r.index} edit ${id}`);
    for (let i = 1 + rng.int(3); i > 0; i--) {
      const len = text.length;
      if (len > 0 && rng.chance(0.3)) {
        const at = rng.int(len);
        text.delete(at, 1 + rng.int(Math.min(4, len - at)));
      } else {
        text.insert(rng.int(len + 1), rng.pick(['a', 'b', 'xyz', ' ', 'é', '🙂', `${r.index}`]));
      }
    }
  }

  networkTick(): void {
    const { rng } = this;
    for (const r of this.replicas) r.disk?.commit(rng.int(4));
    this.network.acceptSome();
    this.clock.advance(rng.int(3));
    this.network.tick(1 + rng.int(6));
  }

  /** A lossless transfer of what `from` (a replica, or the relay) has of a document and `to` lacks, through `to`'s DocSync. */
  exchange(from: Replica | 'relay', to: Replica, docId: DocId, source: string): void {
    const doc = from === 'relay' ? this.network.relayDoc(docId) : this.docOf(from, docId);
    const sync = to.handle?.syncOf(docId);
    if (!doc || !sync) return;
    const update = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(sync.doc));
    if (ENV.FUZZ_DEBUG) this.note(`${source} ${from === 'relay' ? 'relay' : `r${from.index}`}->r${to.index} ${docId} ${update.byteLength}B`);
    sync.applyRemote(update, source);
  }

  checkLive(when: string): void {
    for (const r of this.live()) {
      const problems = r.handle!.space.checkInvariants();
      if (problems.length > 0) this.fail(`replica ${r.index} ${when}: ${problems.join('; ')}`);
    }
    if (this.errors.length > 0) this.fail(`background failures:\n${this.errors.join('\n')}`);
  }

  async heal(): Promise<void> {
    for (const r of this.replicas) if (!r.handle) await this.comeBack(r);
    for (let round = 0; round < 3; round++) {
      this.network.acceptAll();
      this.network.deliverAll();
      this.clock.advance(1);
      await this.settleOpens();
      for (const b of this.replicas) this.exchange('relay', b, SPACE_DOC_ID, 'heal');
      if (!RELAY_ONLY) for (const a of this.replicas) for (const b of this.replicas) if (a !== b) this.exchange(a, b, SPACE_DOC_ID, 'heal');
      for (const r of this.replicas) for (const p of r.handle!.space.listPages()) this.openPage(r, r.handle!, p.id);
      await this.settleOpens();
      const pageIds = new Set(this.replicas.flatMap((r) => [...r.pages.keys()]));
      for (const id of pageIds) {
        for (const b of this.replicas) this.exchange('relay', b, id, 'heal');
        if (!RELAY_ONLY) for (const a of this.replicas) for (const b of this.replicas) if (a !== b) this.exchange(a, b, id, 'heal');
      }
      await settle();
      await this.finishReleases();
    }
    for (const r of this.replicas) await this.drive(r.handle!.flush(), r);
    this.network.acceptAll();
    this.network.deliverAll();
    for (const r of this.replicas) await this.drive(r.handle!.flush(), r);
  }

  /** Status errors that are not the injected load failures of the network. */
  unexpectedStatusErrors(): string[] {
    const out: string[] = [];
    for (const { replica, manager, checkedErrors } of this.managers) {
      for (const e of manager.status.errors.slice(0, checkedErrors ?? undefined)) {
        const injected = e instanceof PersistenceError && e.code === ErrorCode.StorageUnavailable && e.message.includes('injected load failure');
        if (!injected) out.push(`replica ${replica}: ${e.code}: ${e.message}`);
      }
    }
    return out;
  }
}
