/**
 * Two-way layers (a relay) around an open space: opening does not wait on them for a document this device
 * holds, they are followed with the live document as source, backfilled what they lack when they loaded,
 * and they can be attached to and detached from an open space without a reopen.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode, SpaceError } from '../errors.ts';
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import { SPACE_DOC_ID } from '../persistence/PersistenceLayer.ts';
import { ScriptedTwoWayLayer } from '../testing/ScriptedTwoWayLayer.ts';
import { SpaceManager } from './SpaceManager.ts';

const fast = { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 };
const memory = (store: MemoryStore) => (spaceId: string) => new MemoryLayer(spaceId, store);
const textOf = (rows: { update: Uint8Array }[]) => {
  const d = new Y.Doc();
  for (const r of rows) Y.applyUpdate(d, r.update);
  return d.getText('body').toString();
};

async function spaceWithPage(store: MemoryStore) {
  const m = new SpaceManager({ layers: [memory(store)], ...fast });
  const h = await m.createSpace({ id: 's', name: 'Two-way' });
  h.space.createPage({ id: 'p', title: 'P' });
  const page = await h.openPage('p');
  page.doc.getText('body').insert(0, 'local');
  await m.close();
}

describe('two-way layers on open', () => {
  it('does not load a two-way layer for a document the local layers hold; it only follows it, with a source', async () => {
    const store = new MemoryStore();
    await spaceWithPage(store);
    const relay = new ScriptedTwoWayLayer('s');
    const m = new SpaceManager({ layers: [memory(store), () => relay], ...fast });
    const h = await m.openSpace('s');
    const page = await h.openPage('p');
    expect(relay.loads).toEqual([]);
    expect([...relay.followed.keys()].sort()).toEqual([SPACE_DOC_ID, 'p'].sort());
    // The source answers "what do you have beyond this state vector" from the live document.
    const diff = relay.sources.get('p')!.diff(Y.encodeStateVector(new Y.Doc()));
    const probe = new Y.Doc();
    Y.applyUpdate(probe, diff);
    expect(probe.getText('body').toString()).toBe('local');
    page.doc.getText('body').insert(5, '!');
    const later = new Y.Doc();
    Y.applyUpdate(later, relay.sources.get('p')!.diff(Y.encodeStateVector(new Y.Doc())));
    expect(later.getText('body').toString()).toBe('local!');
    await m.close();
  });

  it('loads a two-way layer when the local layers hold nothing (a wiped device) and opens from it', async () => {
    const relayStore = new MemoryStore();
    await spaceWithPage(relayStore);
    const relay = new ScriptedTwoWayLayer('s', relayStore);
    const wiped = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(wiped), () => relay], ...fast });
    const h = await m.openSpace('s');
    const page = await h.openPage('p');
    expect(relay.loads).toEqual([SPACE_DOC_ID, 'p']);
    expect(page.doc.getText('body').toString()).toBe('local');
    await m.close();
    // The local store was backfilled with everything.
    expect(textOf(await new MemoryLayer('s', wiped).load('p'))).toBe('local');
  });

  it('backfills a two-way layer that loaded rows with what it lacks', async () => {
    const relayStore = new MemoryStore();
    await spaceWithPage(relayStore);
    const relay = new ScriptedTwoWayLayer('s', relayStore);
    const local = new MemoryStore();
    const m = new SpaceManager({ layers: [memory(local), () => relay], ...fast });
    const h = await m.openSpace('s');
    await m.close();
    // A page created while the relay's copy of the space existed but the local store had no rows of it:
    // opening a never-seen page loads the relay, the local edit is then saved to it.
    const m2 = new SpaceManager({ layers: [memory(local), () => new ScriptedTwoWayLayer('s', relayStore)], ...fast });
    const h2 = await m2.openSpace('s');
    h2.space.createPage({ id: 'q', title: 'Q' });
    const q = await h2.openPage('q');
    q.doc.getText('body').insert(0, 'new');
    await m2.close();
    expect(textOf(await new MemoryLayer('s', relayStore).load('q'))).toBe('new');
    expect(h.isClosed).toBe(true);
  });

  it('queues what a two-way layer lacks when its load returned rows (missingFrom)', async () => {
    // A wiped device with two relays: the second holds an edit the first never got.
    const first = new MemoryStore();
    await spaceWithPage(first);
    const second = new MemoryStore();
    for (const docId of [SPACE_DOC_ID, 'p']) for (const r of await new MemoryLayer('s', first).load(docId)) await new MemoryLayer('s', second).save(docId, r.update);
    const extra = new Y.Doc();
    for (const r of await new MemoryLayer('s', second).load('p')) Y.applyUpdate(extra, r.update);
    const before = Y.encodeStateVector(extra);
    extra.getText('body').insert(0, 'more ');
    await new MemoryLayer('s', second).save('p', Y.encodeStateAsUpdate(extra, before));
    const m = new SpaceManager({ layers: [memory(new MemoryStore()), () => new ScriptedTwoWayLayer('s', first, 'relay-1'), () => new ScriptedTwoWayLayer('s', second, 'relay-2')], ...fast });
    const h = await m.openSpace('s');
    const page = await h.openPage('p');
    expect(page.doc.getText('body').toString()).toBe('more local');
    await h.flush();
    expect(textOf(await new MemoryLayer('s', first).load('p'))).toBe('more local');
    await m.close();
  });

  it('skips a layer factory that returns null', async () => {
    const store = new MemoryStore();
    await spaceWithPage(store);
    const m = new SpaceManager({ layers: [memory(store), () => null], ...fast });
    const h = await m.openSpace('s');
    expect(h.layers.map((l) => l.name)).toEqual(['memory']);
    await m.close();
  });
});

describe('SpaceHandle.addLayer / removeLayer', () => {
  it('attaches a two-way layer to an open space: the space and every open page are followed, and edits reach it', async () => {
    const store = new MemoryStore();
    await spaceWithPage(store);
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.openSpace('s');
    const page = await h.openPage('p');
    const relay = new ScriptedTwoWayLayer('s');
    h.addLayer(relay);
    expect([...relay.followed.keys()].sort()).toEqual([SPACE_DOC_ID, 'p'].sort());
    expect(m.status.snapshot().layers.map((l) => l.name)).toEqual(['memory', 'two-way']);
    // The far side asks what it lacks: the source answers with everything.
    const probe = new Y.Doc();
    Y.applyUpdate(probe, relay.sources.get('p')!.diff(Y.encodeStateVector(probe)));
    expect(probe.getText('body').toString()).toBe('local');
    page.doc.getText('body').insert(5, ' edit');
    await h.flush();
    // The relay got the edit; with what it got from the source it holds the whole text.
    for (const r of await relay.load('p')) Y.applyUpdate(probe, r.update);
    expect(probe.getText('body').toString()).toBe('local edit');
    // Remote updates are applied to open documents.
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(page.doc));
    remote.getText('body').insert(0, 'R ');
    relay.deliver('p', Y.encodeStateAsUpdate(remote, Y.encodeStateVector(page.doc)));
    expect(page.doc.getText('body').toString()).toBe('R local edit');
    // A page opened after the layer was added is followed too.
    h.space.createPage({ id: 'q', title: 'Q' });
    await h.openPage('q');
    expect(relay.followed.has('q')).toBe(true);
    await m.close();
  });

  it('detaches a two-way layer: documents unfollow it, its pending writes no longer hold flushes, its status goes', async () => {
    const store = new MemoryStore();
    await spaceWithPage(store);
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.openSpace('s');
    const page = await h.openPage('p');
    const relay = new ScriptedTwoWayLayer('s');
    // A layer whose writes never complete (an unreachable relay).
    relay.save = () => new Promise<void>(() => undefined);
    h.addLayer(relay);
    page.doc.getText('body').insert(0, 'x');
    const flushing = h.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(m.status.snapshot().pending).toBeGreaterThan(0);
    await h.removeLayer('two-way');
    await flushing;
    expect(relay.followed.size).toBe(0);
    expect(m.status.snapshot().layers.map((l) => l.name)).toEqual(['memory']);
    expect(m.status.snapshot().state).toBe('saved');
    relay.deliver('p', new Uint8Array([0, 0])); // ignored: no longer subscribed
    expect(m.status.errors).toEqual([]);
    // The local store kept everything.
    await m.close();
    expect(textOf(await new MemoryLayer('s', store).load('p'))).toBe('xlocal');
  });

  it('refuses a one-way layer and a duplicate name', async () => {
    const store = new MemoryStore();
    await spaceWithPage(store);
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.openSpace('s');
    expect(() => h.addLayer(new MemoryLayer('s', new MemoryStore(), 'other'))).toThrow(SpaceError);
    h.addLayer(new ScriptedTwoWayLayer('s'));
    const e: unknown = (() => {
      try {
        h.addLayer(new ScriptedTwoWayLayer('s'));
      } catch (x) {
        return x;
      }
    })();
    expect((e as SpaceError).code).toBe(ErrorCode.InvalidOperation);
    await m.close();
  });
});
