import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../core/errors.ts';
import { SPACE_DOC_ID } from '../core/persistence/PersistenceLayer.ts';
import { Space } from '../core/space/Space.ts';
import { CURRENT_SCHEMA_VERSION, TOP_LEVEL_PARENT } from '../storage/db/index.ts';
import { SpaceDbLayer } from '../storage/space/SpaceDbLayer.ts';
import { LocalWorkspace } from './LocalWorkspace.ts';
import type { DomainEventInit } from '../core/events/DomainEvent.ts';

const fast = { coalesceMs: 1 };

describe('LocalWorkspace', () => {
  it('projects every change of a space into Dexie with a verifiable event log, and reopens from the page store', async () => {
    const indexedDB = new IDBFactory();
    const ws = await LocalWorkspace.open({ indexedDB, ...fast });
    const h = await ws.createSpace({ name: 'Projects', icon: '📁' });
    const a = h.space.createPage({ title: 'Alpha' });
    const b = h.space.createPage({ title: 'Beta', parentId: a });
    h.space.renamePage(b, 'Beta 2');
    h.space.movePage(b, null, 0);
    h.space.trashPage(a);
    await ws.projected(h.id);

    const rows = await ws.db.pages.where('[spaceId+parentId+order]').between([h.id, TOP_LEVEL_PARENT, ''], [h.id, TOP_LEVEL_PARENT, '\uffff']).toArray();
    expect(rows.map((r) => [r.title, r.trashed])).toEqual([['Beta 2', false], ['Alpha', true]]);
    expect(await ws.writer.verifyEventChain(h.id)).toMatchObject({ ok: true });
    const types = (await ws.db.events.where('[spaceId+seq]').between([h.id, 0], [h.id, Infinity]).toArray()).map((e) => e.type);
    expect(types).toEqual(['space.created', 'page.created', 'page.created', 'page.renamed', 'page.moved', 'page.trashed']);
    expect((await ws.db.spaces.get(h.id))?.name).toBe('Projects');
    await ws.close();

    const again = await LocalWorkspace.open({ indexedDB, ...fast });
    const r = await again.openSpace(h.id);
    expect(r.space.getPage(b)?.title).toBe('Beta 2');
    const report = await again.reconcile(r);
    expect(report.inserted + report.updated + report.removed).toBe(0);
    await again.close();
  });

  it('records remote changes with actor remote', async () => {
    const ws = await LocalWorkspace.open({ indexedDB: new IDBFactory(), ...fast });
    const h = await ws.createSpace({ name: 'Remote' });
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(h.doc));
    new Space(remote, { id: h.id }).createPage({ id: 'from-afar', title: 'From afar' });
    h.syncOf(SPACE_DOC_ID)!.applyRemote(Y.encodeStateAsUpdate(remote, Y.encodeStateVector(h.doc)), 'relay');
    await ws.projected(h.id);
    const last = await ws.db.events.where('[spaceId+seq]').between([h.id, 0], [h.id, Infinity]).last();
    expect(last).toMatchObject({ type: 'page.created', actor: 'remote', entityId: 'from-afar' });
    await ws.close();
  });

  it('repairs a projection that fell behind the documents when the space is opened', async () => {
    const indexedDB = new IDBFactory();
    const ws = await LocalWorkspace.open({ indexedDB, ...fast });
    const h = await ws.createSpace({ name: 'Repair' });
    const id = h.space.createPage({ title: 'Kept' });
    await ws.projected(h.id);
    await ws.db.pages.clear(); // as if a crash lost the projection write
    await ws.close();
    const again = await LocalWorkspace.open({ indexedDB, ...fast });
    const r = await again.openSpace(h.id);
    await again.reconcile(r); // the background reconcile may still be running: wait for one to finish
    expect((await again.db.pages.toArray()).map((p) => p.id)).toEqual([id]);
    await again.close();
  });

  it('deletes a space from the page store, the registry and the projection', async () => {
    const indexedDB = new IDBFactory();
    const ws = await LocalWorkspace.open({ indexedDB, ...fast });
    const h = await ws.createSpace({ name: 'Doomed' });
    h.space.createPage({ title: 'x' });
    await ws.projected(h.id);
    await ws.deleteSpace(h.id);
    expect(await ws.db.pages.count()).toBe(0);
    expect((await ws.db.spaces.get(h.id))?.deleted).toBe(true);
    const e: unknown = await ws.openSpace(h.id).catch((x: unknown) => x);
    expect((e as { code?: string }).code).toBe(ErrorCode.NotFound);
    expect((await indexedDB.databases()).filter((d) => d.name?.startsWith(`quire:${h.id}`))).toEqual([]);
    await ws.close();
  });

  it('refuses a database written by a newer Quire with version-too-new', async () => {
    const indexedDB = new IDBFactory();
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('quire', 9990);
      req.onupgradeneeded = () => req.result.createObjectStore('future');
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error ?? new Error('open failed'));
    });
    const e: unknown = await LocalWorkspace.open({ indexedDB }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PersistenceError);
    expect((e as PersistenceError).code).toBe(ErrorCode.VersionTooNew);
  });

  it('stops writing when another tab upgrades the database, yet stores the edits typed before it', async () => {
    const indexedDB = new IDBFactory();
    const ws = await LocalWorkspace.open({ indexedDB, coalesceMs: 60_000 });
    const h = await ws.createSpace({ name: 'Before the upgrade' });
    const pageId = h.space.createPage({ title: 'Typed' });
    await ws.projected(h.id);
    const page = await h.openPage(pageId);
    page.doc.getText('t').insert(0, 'last words'); // still coalescing (60 s) when the upgrade comes
    expect(ws.isLeading(h.id)).toBe(true);

    // A tab running newer code opens the database one schema later; ours must not block it.
    const native = CURRENT_SCHEMA_VERSION * 10;
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('quire', native + 10);
      req.onupgradeneeded = () => req.result.createObjectStore('future');
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error ?? new Error('open failed'));
      req.onblocked = () => reject(new Error('the old tab blocked the upgrade'));
    });

    expect(ws.stopped).toMatchObject({ type: 'version-change', newVersion: CURRENT_SCHEMA_VERSION + 1 });
    expect(ws.isLeading(h.id)).toBe(false);
    // The space store is not part of the Dexie upgrade: what was typed before it reaches it, without waiting 60 s.
    await vi.waitFor(() => expect(ws.status.snapshot().pending).toBe(0), { timeout: 2_000 });
    h.space.renamePage(pageId, 'After'); // a change that reaches the space document but no projection
    await h.flush();
    await page.release();

    const stored = new SpaceDbLayer(h.id, { indexedDB });
    const rows = await stored.load(pageId);
    const doc = new Y.Doc();
    for (const row of rows) Y.applyUpdate(doc, row.update);
    expect(doc.getText('t').toString()).toBe('last words');
  });

  it('announces its own changes to the other tabs, and lets go of a space another tab deleted without rewriting it', async () => {
    const indexedDB = new IDBFactory();
    const sent: DomainEventInit[] = [];
    const a = await LocalWorkspace.open({ indexedDB, ...fast, events: { publish: (e) => void sent.push(e) } });
    const h = await a.createSpace({ name: 'Shared' });
    const page = h.space.createPage({ title: 'Gone soon' });
    h.space.rename('Shared 2');
    h.space.trashPage(page);
    await h.deletePageForever(page);
    expect(sent.map((e) => `${e.type}${'change' in e ? ':' + e.change : ''}`)).toEqual([
      'spaces-changed:created',
      'pages-changed:changed',
      'space-changed',
      'spaces-changed:renamed',
      'pages-changed:changed',
      'pages-changed:deleted',
    ]);

    // Tab B has the space open with an edit still coalescing when A deletes the space.
    const b = await LocalWorkspace.open({ indexedDB, coalesceMs: 60_000 });
    const hb = await b.openSpace(h.id);
    hb.space.createPage({ title: 'Typed in B' });
    await a.deleteSpace(h.id);
    expect(sent.at(-1)).toEqual({ type: 'spaces-changed', change: 'deleted', spaceId: h.id });
    await b.forgetSpace(h.id);
    await b.close(); // closing flushes every open space: the forgotten one must not be among them
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names.filter((n) => n === `quire:${h.id}` || n?.startsWith(`quire:${h.id}:`))).toEqual([]);
    await a.close();
  });
});
