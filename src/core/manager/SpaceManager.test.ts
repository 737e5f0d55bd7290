import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { ErrorCode, PersistenceError, SpaceError } from '../errors.ts';
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import { SPACE_DOC_ID } from '../persistence/PersistenceLayer.ts';
import { ScriptedTwoWayLayer } from '../testing/ScriptedTwoWayLayer.ts';
import { SpaceManager } from './SpaceManager.ts';

const fast = { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 };
const memory = (store: MemoryStore, name = 'memory') => (spaceId: string) => new MemoryLayer(spaceId, store, name);

async function textOfPage(m: SpaceManager, spaceId: string, pageId: string) {
  const h = await m.openSpace(spaceId);
  const p = await h.openPage(pageId);
  const t = p.doc.getText('body').toString();
  await p.release();
  return t;
}

describe('SpaceManager', () => {
  it('creates a space, and a new manager over the same storage reopens everything', async () => {
    const store = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.createSpace({ name: 'Research', icon: '🔬' });
    const parent = h.space.createPage({ title: 'Parent' });
    const child = h.space.createPage({ title: 'Child', parentId: parent });
    const page = await h.openPage(child);
    page.doc.getText('body').insert(0, 'written and closed');
    await m.close();
    expect(m.isOpen(h.id)).toBe(false);

    const again = new SpaceManager({ layers: [memory(store)] });
    const r = await again.openSpace(h.id);
    expect(r.space.meta()).toMatchObject({ name: 'Research', icon: '🔬' });
    expect(r.space.children(null).map((p) => p.title)).toEqual(['Parent']);
    expect(r.space.children(parent).map((p) => p.title)).toEqual(['Child']);
    expect(await textOfPage(again, h.id, child)).toBe('written and closed');
  });

  it('refuses to open a space no layer holds, with code not-found', async () => {
    const m = new SpaceManager({ layers: [memory(new MemoryStore())] });
    const e: unknown = await m.openSpace('missing').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SpaceError);
    expect((e as SpaceError).code).toBe(ErrorCode.NotFound);
    expect(m.isOpen('missing')).toBe(false);
  });

  it('merges what each layer holds on open and backfills each layer with what it lacked', async () => {
    const a = new MemoryStore();
    const b = new MemoryStore();
    const ma = new SpaceManager({ layers: [memory(a, 'a')], ...fast });
    const h = await ma.createSpace({ id: 's', name: 'Shared' });
    h.space.createPage({ id: 'only-a', title: 'Only in A' });
    await ma.close();
    // B holds the same space plus a page A never saw (as if synced from elsewhere).
    const mb = new SpaceManager({ layers: [memory(a, 'a')], ...fast });
    const hb = await mb.openSpace('s');
    const extra = new Y.Doc();
    Y.applyUpdate(extra, Y.encodeStateAsUpdate(hb.doc));
    await mb.close();
    const { Space } = await import('../space/Space.ts');
    const sb = new Space(extra, { id: 's' });
    sb.createPage({ id: 'only-b', title: 'Only in B' });
    await new MemoryLayer('s', b, 'b').save(SPACE_DOC_ID, Y.encodeStateAsUpdate(extra));

    const both = new SpaceManager({ layers: [memory(a, 'a'), memory(b, 'b')], ...fast });
    const merged = await both.openSpace('s');
    expect(merged.space.listPages().map((p) => p.id).sort()).toEqual(['only-a', 'only-b']);
    await both.close();
    for (const store of [a, b]) {
      const alone = await new SpaceManager({ layers: [memory(store)] }).openSpace('s');
      expect(alone.space.listPages().map((p) => p.id).sort()).toEqual(['only-a', 'only-b']);
    }
  });

  it('applies a two-way layer\'s updates through the guard and saves them to the other layers', async () => {
    const local = new MemoryStore();
    const relay = new ScriptedTwoWayLayer('s');
    const m = new SpaceManager({ layers: [memory(local), () => relay], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Synced' });
    expect(relay.followed.has(SPACE_DOC_ID)).toBe(true);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(h.doc));
    const { Space } = await import('../space/Space.ts');
    new Space(remote, { id: 's' }).createPage({ id: 'remote-page', title: 'From another device' });
    const relayWritesBefore = (await relay.load(SPACE_DOC_ID)).length;
    relay.deliver(SPACE_DOC_ID, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(h.doc)));
    expect(h.space.getPage('remote-page')?.title).toBe('From another device');
    relay.deliver(SPACE_DOC_ID, new Uint8Array([0, 9, 9, 9]));
    expect(m.status.errors.map((e) => e.code)).toEqual([ErrorCode.InvalidUpdate]);
    await h.flush();
    expect((await relay.load(SPACE_DOC_ID)).length).toBe(relayWritesBefore); // not echoed back
    await m.close();
    const reopened = await new SpaceManager({ layers: [memory(local)] }).openSpace('s');
    expect(reopened.space.getPage('remote-page')?.title).toBe('From another device');
  });

  it('opens a page with corrupt stored rows: readable rows load, bad rows are set aside and reported', async () => {
    const store = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Corrupt' });
    h.space.createPage({ id: 'p', title: 'P' });
    const page = await h.openPage('p');
    const body = page.doc.getText('body');
    for (const ch of 'readable') {
      body.insert(body.length, ch);
      await h.flush();
    }
    await m.close();
    const layer = new MemoryLayer('s', store);
    const good = await layer.load('p');
    const truncated = good[0]!.update.slice(0, 3);
    const flipped = good[1]!.update.slice();
    flipped[flipped.length - 2]! ^= 0xff;
    await layer.save('p', new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01]));
    await layer.save('p', truncated);
    await layer.save('p', new Uint8Array());

    const again = new SpaceManager({ layers: [memory(store)] });
    const started = Date.now();
    const r = await again.openSpace('s');
    const p = await r.openPage('p');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(p.doc.getText('body').toString()).toBe('readable');
    const reported = again.status.errors.filter((e) => e.code === ErrorCode.CorruptData);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toContain('3 stored row(s)');
    expect(layer.setAsideRows('p')).toHaveLength(3);
    expect(await layer.load('p')).toHaveLength(good.length);
  });

  it('deletes a page and its sub-pages forever, from the tree and from every layer', async () => {
    const store = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Delete' });
    const a = h.space.createPage({ title: 'A' });
    const b = h.space.createPage({ title: 'B', parentId: a });
    const keep = h.space.createPage({ title: 'Keep' });
    for (const id of [a, b, keep]) (await h.openPage(id)).doc.getText('body').insert(0, id);
    await h.flush();
    expect((await h.deletePageForever(a)).sort()).toEqual([a, b].sort());
    const docs = await new MemoryLayer('s', store).listDocs();
    expect(docs.sort()).toEqual([SPACE_DOC_ID, keep].sort());
    expect(h.space.listPages().map((p) => p.id)).toEqual([keep]);
  });

  it('lets go of a page another tab or device deleted forever: typing on there never recreates its document', async () => {
    const store = new MemoryStore();
    const a = new SpaceManager({ layers: [memory(store)], ...fast });
    const ha = await a.createSpace({ id: 's', name: 'Shared' });
    const page = ha.space.createPage({ title: 'Doomed' });
    (await ha.openPage(page)).doc.getText('body').insert(0, 'first');
    await ha.flush();

    const b = new SpaceManager({ layers: [memory(store)], ...fast });
    const hb = await b.openSpace('s');
    const inB = await hb.openPage(page);
    const before = Y.encodeStateVector(ha.doc);
    ha.space.trashPage(page);
    await ha.deletePageForever(page);
    // The deletion reaches B as a remote change of the space document.
    hb.syncOf(SPACE_DOC_ID)!.applyRemote(Y.encodeStateAsUpdate(ha.doc, before), 'tab');
    expect(hb.space.getPage(page)).toBeUndefined();
    expect(hb.openPageIds()).not.toContain(page);
    inB.doc.getText('body').insert(0, 'late keystroke in B ');
    await hb.flush();
    await inB.release();
    expect(await new MemoryLayer('s', store).listDocs()).toEqual([SPACE_DOC_ID]);
  });

  it('deletes a whole space from every layer', async () => {
    const store = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.createSpace({ id: 'gone', name: 'Gone' });
    await m.createSpace({ id: 'kept', name: 'Kept' });
    h.space.createPage({ title: 'x' });
    await m.deleteSpace('gone');
    expect(m.isOpen('gone')).toBe(false);
    await expect(new SpaceManager({ layers: [memory(store)] }).openSpace('gone')).rejects.toBeInstanceOf(SpaceError);
    expect((await new SpaceManager({ layers: [memory(store)] }).openSpace('kept')).space.meta().name).toBe('Kept');
  });

  it('merges secrets across the local stores (the first store wins) and saves them to all, never to a two-way layer', async () => {
    const a = new MemoryStore();
    const b = new MemoryStore();
    await new MemoryLayer('s', b, 'b').saveSecrets({ shared: 'from-b', onlyB: 'b' });
    const relay = new MemoryStore();
    await new MemoryLayer('s', relay).saveSecrets({ shared: 'from-relay', onlyRelay: 'r' });
    const m = new SpaceManager({ layers: [() => new ScriptedTwoWayLayer('s', relay), memory(a, 'a'), memory(b, 'b')], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Secrets' });
    await new MemoryLayer('s', a, 'a').saveSecrets({ shared: 'from-a' });
    expect(await h.secrets.loadSecrets()).toEqual({ shared: 'from-a', onlyB: 'b' });
    await h.secrets.saveSecrets({ key: 'k' });
    expect(await new MemoryLayer('s', a).loadSecrets()).toMatchObject({ key: 'k' });
    expect(await new MemoryLayer('s', b).loadSecrets()).toMatchObject({ key: 'k' });
    expect(await new MemoryLayer('s', relay).loadSecrets()).toEqual({ shared: 'from-relay', onlyRelay: 'r' });
  });

  it('never persists ephemeral state (awareness: cursors, selection, names)', async () => {
    const store = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Ephemeral' });
    const id = h.space.createPage({ title: 'P' });
    const page = await h.openPage(id);
    const awareness = new Awareness(page.doc);
    awareness.setLocalState({ cursor: { anchor: 3 }, user: { name: 'EPHEMERAL-MARKER' } });
    page.doc.getText('body').insert(0, 'content');
    await h.flush();
    const rows = [...(await new MemoryLayer('s', store).load(id)), ...(await new MemoryLayer('s', store).load(SPACE_DOC_ID))];
    const bytes = rows.map((r) => new TextDecoder().decode(r.update)).join('');
    expect(bytes).toContain('content');
    expect(bytes).not.toContain('EPHEMERAL-MARKER');
    awareness.destroy();
  });

  it('keeps a space open when closing fails, and closes it once the layer works again', async () => {
    const store = new MemoryStore();
    const { FaultyLayer } = await import('../persistence/FaultyLayer.ts');
    const faulty = new FaultyLayer(new MemoryLayer('s', store), {});
    const m = new SpaceManager({ layers: [() => faulty], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Close' });
    faulty.plan = { failWrite: { at: faulty.writes + 1, mode: 'forever' } };
    h.space.createPage({ id: 'late', title: 'Late' });
    await expect(m.closeSpace('s')).rejects.toBeInstanceOf(PersistenceError);
    expect(m.isOpen('s')).toBe(true);
    faulty.heal();
    await m.closeSpace('s');
    expect((await new SpaceManager({ layers: [memory(store)] }).openSpace('s')).space.getPage('late')?.title).toBe('Late');
  });

  it('bounds a load that never completes: a timeout error, and the space opens from the layers that answer', async () => {
    const { FaultyLayer } = await import('../persistence/FaultyLayer.ts');
    const store = new MemoryStore();
    await (await new SpaceManager({ layers: [memory(store)] }).createSpace({ id: 's', name: 'Hang' })).close();
    const hanging = () => new FaultyLayer(new MemoryLayer('s', new MemoryStore(), 'hangs'), { delay: () => new Promise<void>(() => undefined) });

    const alone = new SpaceManager({ layers: [hanging], loadTimeoutMs: 50 });
    const started = Date.now();
    const e: unknown = await alone.openSpace('s').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PersistenceError);
    expect((e as PersistenceError).code).toBe(ErrorCode.Timeout);
    expect(Date.now() - started).toBeLessThan(1000);

    const mixed = new SpaceManager({ layers: [memory(store), hanging], loadTimeoutMs: 50 });
    const h = await mixed.openSpace('s');
    expect(h.space.meta().name).toBe('Hang');
    expect(mixed.status.errors.map((x) => x.code)).toEqual([ErrorCode.Timeout]);
    expect(mixed.status.snapshot().state).toBe('error');
  });

  it('writes nothing when a space and its pages are only opened (no content seeded, nothing duplicated)', async () => {
    const { FaultyLayer } = await import('../persistence/FaultyLayer.ts');
    const store = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Quiet' });
    const id = h.space.createPage({ title: 'P' });
    (await h.openPage(id)).doc.getText('body').insert(0, 'once');
    await m.close();
    const counting = new FaultyLayer(new MemoryLayer('s', store));
    const again = new SpaceManager({ layers: [() => counting], ...fast });
    const r = await again.openSpace('s');
    const page = await r.openPage(id);
    await page.release();
    await again.close();
    expect(counting.writes).toBe(0);
    const third = await new SpaceManager({ layers: [memory(store)] }).openSpace('s');
    expect((await third.openPage(id)).doc.getText('body').toString()).toBe('once');
  });

  it('reports a refused message of a two-way layer once without a lasting error, and a dropped connection as one', async () => {
    const relay = new ScriptedTwoWayLayer('s');
    const m = new SpaceManager({ layers: [memory(new MemoryStore()), () => relay], ...fast });
    await m.createSpace({ id: 's', name: 'Errors' });
    relay.fail(new PersistenceError(ErrorCode.InvalidUpdate, 'a malformed message', { layer: relay.name }));
    expect(m.status.errors.map((e) => e.code)).toEqual([ErrorCode.InvalidUpdate]);
    expect(m.status.snapshot().state).toBe('saved');
    relay.fail(new PersistenceError(ErrorCode.StorageUnavailable, 'connection dropped', { layer: relay.name }));
    expect(m.status.snapshot().state).toBe('error');
  });
});
