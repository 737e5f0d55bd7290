import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/testing/prng.ts';
import * as Y from 'yjs';
import { ErrorCode, PersistenceError, SpaceError } from '../../core/errors.ts';
import { Space } from '../../core/space/Space.ts';
import type { PageChange } from '../../core/space/types.ts';
import { followSpace } from './followSpace.ts';
import { openQuireDatabase } from './openQuireDatabase.ts';
import { pagesWithLiveChildren, toPageRow } from './pageRows.ts';
import { ProjectionWriter } from './ProjectionWriter.ts';
import type { QuireDatabase } from './QuireDatabase.ts';
import { listRecentSpaces } from './recentSpaces.ts';
import type { PageRow } from './rows.ts';
import { spaceKeyRange } from './spaceKeyRange.ts';

let dbCount = 0;
const dbs: QuireDatabase[] = [];
async function freshDb(): Promise<QuireDatabase> {
  const db = await openQuireDatabase({ name: `projection-${++dbCount}` });
  dbs.push(db);
  return db;
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function counter(start: number): () => number {
  let t = start;
  return () => ++t;
}

/** Seeded floats in [0, 1) from the core's mulberry32. */
function prng(seed: number): () => number {
  const rng = mulberry32(seed);
  return () => rng.next();
}

async function pagesOf(db: QuireDatabase, spaceId: string): Promise<PageRow[]> {
  const [lower, upper] = spaceKeyRange(spaceId);
  return db.pages.where('[spaceId+id]').between(lower, upper, true, true).toArray();
}

/** Two replicas of one space: `local` is projected into the database; `remote` edits arrive by sync. */
function replicas(now: () => number): { local: Space; remote: Space; syncToLocal(): void; syncToRemote(): void } {
  const docA = new Y.Doc();
  docA.clientID = 1;
  const local = Space.create(docA, { id: 'space-1', name: 'Random', now });
  const docB = new Y.Doc();
  docB.clientID = 2;
  Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA), 'sync');
  const remote = new Space(docB, { id: 'space-1', now });
  const exchange = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'sync');
  return { local, remote, syncToLocal: () => exchange(docB, docA), syncToRemote: () => exchange(docA, docB) };
}

/** One random command against a space; commands the tree refuses (SpaceError) are part of the game. */
function randomCommand(space: Space, rand: () => number, step: number): void {
  const pages = space.listPages();
  const pick = () => pages[Math.floor(rand() * pages.length)];
  const live = pages.filter((p) => !p.inTrash);
  const pickLive = () => (live.length > 0 ? live[Math.floor(rand() * live.length)] : undefined);
  const r = rand();
  try {
    if (pages.length < 3 || r < 0.3) {
      const parent = rand() < 0.3 ? null : (pickLive()?.id ?? null);
      space.createPage({ parentId: parent, title: `p${step}`, index: Math.floor(rand() * 4) });
    } else if (r < 0.45) {
      space.renamePage(pick()!.id, `t${step}`);
    } else if (r < 0.55) {
      space.setPageIcon(pick()!.id, rand() < 0.5 ? null : `i${step}`);
    } else if (r < 0.7) {
      const page = pickLive();
      if (page) space.movePage(page.id, rand() < 0.3 ? null : (pickLive()?.id ?? null), Math.floor(rand() * 3));
    } else if (r < 0.8) {
      space.trashPage(pick()!.id);
    } else if (r < 0.88) {
      const trashed = pages.filter((p) => p.trashed);
      if (trashed.length > 0) space.restorePage(trashed[Math.floor(rand() * trashed.length)]!.id);
    } else if (r < 0.93) {
      space.deletePageForever(pick()!.id);
    } else if (r < 0.945) {
      space.touchPage(pick()!.id);
    } else if (r < 0.96) {
      space.setPageLinks(pick()!.id, pages.filter(() => rand() < 0.3).map((p) => p.id));
    } else {
      space.rename(`name ${step}`);
    }
  } catch (e) {
    if (!(e instanceof SpaceError)) throw e;
  }
}

describe('ProjectionWriter', () => {
  it('writes events and projection rows together and resolves after the transaction', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db, { now: counter(1000) });
    const space = Space.create(new Y.Doc(), { id: 's1', name: 'Notes', now: counter(10) });
    const created = await writer.registerSpace(space.meta(), 'user');
    expect(created.map((e) => e.type)).toEqual(['space.created']);

    const changes: PageChange[][] = [];
    space.observe((c) => changes.push(c));
    const a = space.createPage({ title: 'A' });
    const b = space.createPage({ title: 'B', parentId: a });
    space.renamePage(b, 'B2');
    space.trashPage(a);
    for (const batch of changes) await writer.applyPageChanges('s1', batch, 'user');

    const events = await db.events.where('[spaceId+seq]').between(...spaceKeyRange('s1'), true, true).toArray();
    expect(events.map((e) => [e.seq, e.type, e.entityId])).toEqual([
      [1, 'space.created', 's1'],
      [2, 'page.created', a],
      [3, 'page.created', b],
      [4, 'page.renamed', b],
      [5, 'page.trashed', a],
      [6, 'page.updated', b], // b is now inTrash
    ]);
    expect(events[3]!.payload).toMatchObject({ previousTitle: 'B', page: { title: 'B2' } });
    expect(events.every((e, i) => i === 0 || e.prevHash === events[i - 1]!.hash)).toBe(true);
    const rows = await pagesOf(db, 's1');
    expect(rows.find((r) => r.id === b)).toMatchObject({ parentId: a, title: 'B2', inTrash: true, trashed: false });
    expect(rows.find((r) => r.id === a)).toMatchObject({ parentId: '', trashed: true, inTrash: true });
    expect(await writer.verifyEventChain('s1')).toEqual({ ok: true, count: 6, headHash: events[5]!.hash });
    // The by-entity index reads one page's history.
    const history = await db.events.where('[spaceId+entityType+entityId+seq]').between(['s1', 'page', b, 0], ['s1', 'page', b, Infinity]).toArray();
    expect(history.map((e) => e.type)).toEqual(['page.created', 'page.renamed', 'page.updated']);
  });

  it('keeps each space its own chain', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db);
    await writer.registerSpace({ id: 'x', name: 'X', icon: null, createdAt: 1 }, 'user');
    await writer.registerSpace({ id: 'y', name: 'Y', icon: null, createdAt: 1 }, 'remote');
    await writer.registerSpace({ id: 'x', name: 'X2', icon: null, createdAt: 1 }, 'user');
    await writer.registerSpace({ id: 'x', name: 'X2', icon: '⭐', createdAt: 1 }, 'system');
    await writer.registerSpace({ id: 'x', name: 'X2', icon: '⭐', createdAt: 1 }, 'system'); // no change: no event
    expect((await db.events.toArray()).map((e) => `${e.spaceId}:${e.seq}:${e.type}:${e.actor}`)).toEqual([
      'x:1:space.created:user',
      'x:2:space.renamed:user',
      'x:3:space.updated:system',
      'y:1:space.created:remote',
    ]);
    expect(await writer.verifyEventChain('x')).toMatchObject({ ok: true, count: 3 });
    expect(await writer.verifyEventChain('y')).toMatchObject({ ok: true, count: 1 });
    expect(await writer.verifyEventChain('none')).toMatchObject({ ok: true, count: 0 });
  });

  it('writes nothing when the transaction fails: no event without its projection', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db);
    await writer.registerSpace({ id: 's', name: 'S', icon: null, createdAt: 1 }, 'user');
    const page = { id: 'p', parentId: null, order: 'a0', title: 'P', icon: null, createdAt: 1, updatedAt: 1, trashed: false, inTrash: false, trashedAt: null, links: [] };
    // The projection write fails after the event was staged: a quota error raised by a Dexie hook.
    const failing = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    db.pages.hook('creating', failing);
    const error = await writer.applyPageChanges('s', [{ type: 'page-created', page }], 'user').then(
      () => null,
      (e: unknown) => e,
    );
    db.pages.hook('creating').unsubscribe(failing);
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as PersistenceError).code).toBe(ErrorCode.QuotaExceeded);
    expect(await db.events.count()).toBe(1);
    expect(await db.pages.count()).toBe(0);
    // And the next write continues the chain where it was.
    await writer.applyPageChanges('s', [{ type: 'page-created', page }], 'user');
    expect(await writer.verifyEventChain('s')).toMatchObject({ ok: true, count: 2 });
  });

  it('rebuilds from the canonical state to exactly the incrementally written rows (random operations)', async () => {
    const seeds = process.env.QUIRE_SEED ? [Number(process.env.QUIRE_SEED)] : [1, 2, 3, Date.now() % 1_000_000];
    const STEPS = 150;
    const typesSeen = new Set<string>();
    for (const seed of seeds) {
      const rand = prng(seed);
      const where = `seed=${seed} (rerun with QUIRE_SEED=${seed})`;
      const clock = counter(1_000);
      const { local, remote, syncToLocal, syncToRemote } = replicas(clock);
      const db = await freshDb();
      const writer = new ProjectionWriter(db, { now: clock });
      await writer.registerSpace(local.meta(), 'user');
      const errors: PersistenceError[] = [];
      const follower = followSpace(writer, 'space-1', local, (e) => errors.push(e));
      let observed = 1; // the registration
      local.observe((changes) => (observed += changes.length));
      let remoteBatches = 0;
      local.observe((_c, origin) => origin === 'remote' && remoteBatches++);

      for (let step = 0; step < STEPS; step++) {
        if (rand() < 0.25) randomCommand(remote, rand, step);
        else randomCommand(local, rand, step);
        if (rand() < 0.2) {
          syncToLocal();
          syncToRemote();
        }
      }
      syncToLocal();
      await follower.idle();
      follower.stop();
      expect(errors, where).toEqual([]);
      expect(local.checkInvariants(), where).toEqual([]);

      const incremental = await pagesOf(db, 'space-1');
      const canonical = { meta: local.meta(), pages: local.listPages() };
      // The incrementally maintained rows are the canonical records (hasChildren included)...
      const byId = (rows: PageRow[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
      const parents = pagesWithLiveChildren(canonical.pages);
      expect(byId(incremental), where).toEqual(byId(canonical.pages.map((p) => toPageRow('space-1', p, parents.has(p.id)))));
      // ...a rebuild into a fresh database writes the same rows...
      const fresh = await freshDb();
      await new ProjectionWriter(fresh, { now: clock }).rebuildProjections('space-1', canonical);
      expect(byId(await pagesOf(fresh, 'space-1')), where).toEqual(byId(incremental));
      const { updatedAt: _u1, ...spaceIncremental } = (await db.spaces.get('space-1'))!;
      const { updatedAt: _u2, ...spaceRebuilt } = (await fresh.spaces.get('space-1'))!;
      expect(spaceRebuilt, where).toEqual(spaceIncremental);
      // ...and a rebuild over the incremental rows finds nothing to fix.
      expect(await writer.rebuildProjections('space-1', canonical), where).toEqual({
        inserted: 0,
        updated: 0,
        removed: 0,
        unchanged: canonical.pages.length,
        spaceChanged: false,
      });
      // One event per observed change, chained.
      expect(await db.events.count(), where).toBe(observed);
      expect(await writer.verifyEventChain('space-1'), where).toMatchObject({ ok: true, count: observed });
      expect(remoteBatches, where).toBeGreaterThan(0);
      const all = await db.events.toArray();
      expect([...new Set(all.map((e) => e.actor))].sort(), where).toEqual(['remote', 'user']);
      for (const e of all) typesSeen.add(e.type);
    }
    // The default seeds together exercise every kind of change (a single rerun seed need not).
    if (!process.env.QUIRE_SEED) for (const type of ['space.renamed', 'page.created', 'page.renamed', 'page.moved', 'page.trashed', 'page.restored', 'page.deleted', 'page.updated']) {
      expect(typesSeen.has(type), `seeds ${seeds.join(',')}: no ${type}`).toBe(true);
    }
  });

  it('rebuild repairs a damaged projection and reports what it fixed', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db);
    const space = Space.create(new Y.Doc(), { id: 's', name: 'S', now: counter(1) });
    await writer.registerSpace(space.meta(), 'user');
    const follower = followSpace(writer, 's', space, () => undefined);
    const a = space.createPage({ title: 'A' });
    const b = space.createPage({ title: 'B' });
    space.createPage({ title: 'C', parentId: a });
    await follower.idle();
    await db.pages.delete(['s', b]);
    await db.pages.update(['s', a], { title: 'damaged' });
    await db.pages.put({ ...(await db.pages.get(['s', a]))!, id: 'ghost' });
    const report = await writer.rebuildProjections('s', { meta: space.meta(), pages: space.listPages() });
    expect(report).toEqual({ inserted: 1, updated: 1, removed: 1, unchanged: 1, spaceChanged: false });
    expect((await pagesOf(db, 's')).map((r) => r.title).sort()).toEqual(['A', 'B', 'C']);
  });

  it('follower repairs the projection after a failed write', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db);
    const space = Space.create(new Y.Doc(), { id: 's', name: 'S', now: counter(1) });
    await writer.registerSpace(space.meta(), 'user');
    const errors: PersistenceError[] = [];
    const follower = followSpace(writer, 's', space, (e) => errors.push(e));
    const failing = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    db.pages.hook('creating', failing);
    const a = space.createPage({ title: 'A' });
    await follower.idle();
    db.pages.hook('creating').unsubscribe(failing);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.QuotaExceeded]);
    expect(await db.pages.count()).toBe(0);
    space.createPage({ title: 'B', parentId: a });
    await follower.idle();
    expect((await pagesOf(db, 's')).map((r) => r.title).sort()).toEqual(['A', 'B']);
    expect(await writer.verifyEventChain('s')).toMatchObject({ ok: true });
  });

  it('detects a tampered, removed or re-hashed event', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db);
    const space = Space.create(new Y.Doc(), { id: 's', name: 'S', now: counter(1) });
    await writer.registerSpace(space.meta(), 'user');
    const follower = followSpace(writer, 's', space, () => undefined);
    const ids = [1, 2, 3, 4].map((i) => space.createPage({ title: `P${i}` }));
    space.renamePage(ids[1]!, 'renamed');
    await follower.idle();
    expect(await writer.verifyEventChain('s')).toMatchObject({ ok: true, count: 6 });

    // Edit one payload: its hash no longer matches.
    const e3 = (await db.events.get(['s', 3]))!;
    await db.events.put({ ...e3, payload: { ...e3.payload, page: { ...(e3.payload.page as object), title: 'forged' } } });
    expect(await writer.verifyEventChain('s')).toMatchObject({ ok: false, brokenSeq: 3, reason: 'hash-mismatch', count: 2 });
    await db.events.put(e3);
    expect(await writer.verifyEventChain('s')).toMatchObject({ ok: true });

    // Edit one event and fix its own hash: the next event's prevHash gives it away.
    const { hashEvent } = await import('./eventHash.ts');
    const forged = { ...e3, ts: e3.ts + 1 };
    await db.events.put({ ...forged, hash: hashEvent(forged) });
    expect(await writer.verifyEventChain('s')).toMatchObject({ ok: false, brokenSeq: 4, reason: 'prev-hash-mismatch' });
    await db.events.put(e3);

    // Remove one event: a gap.
    await db.events.delete(['s', 5]);
    expect(await writer.verifyEventChain('s')).toMatchObject({ ok: false, brokenSeq: 6, reason: 'seq-gap' });
  });

  it('projects page links, and the *links index answers backlinks per space', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db, { now: counter(100) });
    const space = Space.create(new Y.Doc(), { id: 's', name: 'S', now: counter(1) });
    await writer.registerSpace(space.meta(), 'user');
    const follower = followSpace(writer, 's', space, (e) => {
      throw e;
    });
    const target = space.createPage({ title: 'Target' });
    const a = space.createPage({ title: 'A' });
    const b = space.createPage({ title: 'B' });
    space.setPageLinks(a, [target]);
    space.setPageLinks(b, [target, a]);
    await follower.idle();
    expect((await db.pages.get(['s', a]))?.links).toEqual([target]);
    const linking = async (id: string) => (await db.pages.where('links').equals(id).toArray()).map((r) => r.title).sort();
    expect(await linking(target)).toEqual(['A', 'B']);
    expect(await linking(a)).toEqual(['B']);
    space.setPageLinks(a, []);
    await follower.idle();
    expect(await linking(target)).toEqual(['B']);
    // The rows equal what a rebuild from the document writes, links included.
    const byId = (rows: PageRow[]) => [...rows].sort((x, y) => (x.id < y.id ? -1 : 1));
    const parents = pagesWithLiveChildren(space.listPages());
    expect(byId(await pagesOf(db, 's'))).toEqual(byId(space.listPages().map((p) => toPageRow('s', p, parents.has(p.id)))));
    const report = await writer.rebuildProjections('s', { meta: space.meta(), pages: space.listPages() });
    expect(report).toMatchObject({ inserted: 0, updated: 0, removed: 0, unchanged: 3 });
    // A link event carries the list, so a replay of the log rebuilds it.
    const last = await db.events.where('[spaceId+seq]').between(['s', 0], ['s', Infinity]).last();
    expect(last).toMatchObject({ type: 'page.updated', entityId: a, payload: { page: { links: [] } } });
    follower.stop();
  });

  it('deletes a space, keeps its log, and keeps the recent list to opened, live spaces', async () => {
    const db = await freshDb();
    const writer = new ProjectionWriter(db, { now: counter(100) });
    for (let i = 0; i < 13; i++) await writer.registerSpace({ id: `s${i}`, name: `S${i}`, icon: null, createdAt: i }, 'user');
    for (let i = 0; i < 12; i++) await writer.markSpaceOpened(`s${i}`);
    await writer.applyPageChanges('s11', [{ type: 'page-created', page: { id: 'p', parentId: null, order: 'a0', title: 'P', icon: null, createdAt: 1, updatedAt: 1, trashed: false, inTrash: false, trashedAt: null, links: [] } }], 'user');
    expect((await listRecentSpaces(db)).map((s) => s.id)).toEqual(['s11', 's10', 's9', 's8', 's7', 's6', 's5', 's4', 's3', 's2']);
    await writer.deleteSpace('s11', 'user');
    expect(await pagesOf(db, 's11')).toEqual([]);
    expect((await listRecentSpaces(db)).map((s) => s.id)).toEqual(['s10', 's9', 's8', 's7', 's6', 's5', 's4', 's3', 's2', 's1']);
    expect((await listRecentSpaces(db, 3)).map((s) => s.id)).toEqual(['s10', 's9', 's8']);
    expect(await writer.verifyEventChain('s11')).toMatchObject({ ok: true, count: 3 });
    await expect(writer.markSpaceOpened('s11')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(writer.deleteSpace('nope', 'user')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
