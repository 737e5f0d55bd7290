import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { DatabaseSignal } from './DatabaseSignals.ts';
import { DEXIE_VERSION_FACTOR } from './guardedIndexedDB.ts';
import { migration001 } from './migrations/001_initial.ts';
import { migration002 } from './migrations/002_trash_and_draft_base.ts';
import { migration003 } from './migrations/003_page_links.ts';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.ts';
import { openQuireDatabase } from './openQuireDatabase.ts';
import type { QuireDatabase } from './QuireDatabase.ts';

let seq = 0;
const opened: Dexie[] = [];
function freshName(label: string): string {
  return `migrations-${label}-${++seq}`;
}
async function open(name: string): Promise<QuireDatabase> {
  const db = await openQuireDatabase({ name, appVersion: '9.9.9-test', now: () => 1_700_000_000_000 });
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** Raw IndexedDB, outside Dexie: what is really stored (every store, key and value, and the indexes). */
interface RawDump {
  version: number;
  stores: Record<string, { keyPath: unknown; indexes: Record<string, unknown>; records: { key: IDBValidKey; value: unknown }[] }>;
}
function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('request failed'));
  });
}
async function rawDump(name: string): Promise<RawDump> {
  const idb = await idbRequest(indexedDB.open(name));
  try {
    const dump: RawDump = { version: idb.version, stores: {} };
    const names = [...idb.objectStoreNames].sort();
    if (names.length === 0) return dump;
    const tx = idb.transaction(names, 'readonly');
    for (const storeName of names) {
      const store = tx.objectStore(storeName);
      const indexes: Record<string, unknown> = {};
      for (const indexName of [...store.indexNames].sort()) {
        const index = store.index(indexName);
        indexes[indexName] = { keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
      }
      const keys = await idbRequest(store.getAllKeys());
      const values = await idbRequest(store.getAll());
      dump.stores[storeName] = { keyPath: store.keyPath, indexes, records: keys.map((key, i) => ({ key, value: values[i] as unknown })) };
    }
    return dump;
  } finally {
    idb.close();
  }
}

// ---- Fixtures: what each released schema's code would have written. One builder per older version. ----

const T0 = 1_600_000_000_000;
const v1Rows = {
  spaces: [
    { id: 's1', name: 'Work', icon: null, createdAt: T0, updatedAt: T0 + 5, lastOpenedAt: T0 + 9, deleted: false },
    { id: 's2', name: 'Old', icon: '📦', createdAt: T0, updatedAt: T0, lastOpenedAt: null, deleted: true },
  ],
  pages: [
    // s1: a (trashed) > b > c ; d top-level ; e under d
    { spaceId: 's1', id: 'a', parentId: '', order: 'a0', title: 'A', icon: null, createdAt: T0, updatedAt: T0 + 1, trashed: true, trashedAt: T0 + 1 },
    { spaceId: 's1', id: 'b', parentId: 'a', order: 'a0', title: 'B', icon: null, createdAt: T0, updatedAt: T0, trashed: false, trashedAt: null },
    { spaceId: 's1', id: 'c', parentId: 'b', order: 'a0', title: 'C', icon: '🌱', createdAt: T0, updatedAt: T0, trashed: false, trashedAt: null },
    { spaceId: 's1', id: 'd', parentId: '', order: 'a1', title: 'D', icon: null, createdAt: T0, updatedAt: T0 + 50, trashed: false, trashedAt: null },
    { spaceId: 's1', id: 'e', parentId: 'd', order: 'a0', title: 'E', icon: null, createdAt: T0, updatedAt: T0, trashed: false, trashedAt: null },
    // the same page id in another space is another page
    { spaceId: 's2', id: 'a', parentId: '', order: 'a0', title: 'other A', icon: null, createdAt: T0, updatedAt: T0, trashed: false, trashedAt: null },
  ],
  events: [
    { spaceId: 's1', seq: 1, ts: T0, actor: 'user', entityType: 'space', entityId: 's1', type: 'space.created', payload: { meta: { id: 's1', name: 'Work', icon: null, createdAt: T0 } }, prevHash: '0'.repeat(64), hash: 'f'.repeat(64) },
  ],
  meta: [
    { key: 'schemaVersion', value: 1 },
    { key: 'appVersionCreatedWith', value: '0.0.1' },
    { key: 'createdAt', value: T0 },
  ],
  tabs: [{ id: 't1', spaceId: 's1', pageId: 'd', title: 'D', path: '/s1/d', order: 'a0', updatedAtMs: T0 }],
  routing: [{ id: 'active', activeTabId: 't1', path: '/s1/d', updatedAtMs: T0 }],
  uiPreferences: [{ key: 'theme', value: 'dark', updatedAtMs: T0 }],
  draftMailbox: [
    // page d changed (T0+50) before the draft (T0+60): the draft was based on d's current revision
    { pageId: 'd', spaceId: 's1', text: 'draft of d', updatedAtMs: T0 + 60, conflictState: 'none' },
    // page e unchanged since T0, draft at T0+10: based on T0
    { pageId: 'e', spaceId: 's1', text: 'draft of e', updatedAtMs: T0 + 10, conflictState: 'ahead' },
    // page a changed at T0+1, after the draft at T0: base unknown
    { pageId: 'a', spaceId: 's1', text: 'draft of a', updatedAtMs: T0, conflictState: 'none' },
    // the page is gone: base unknown
    { pageId: 'zz', spaceId: 's1', text: 'orphan draft', updatedAtMs: T0, conflictState: 'none' },
  ],
  uploadJobs: [
    { id: 'u1', spaceId: 's1', pageId: 'd', fileName: 'x.png', mime: 'image/png', size: 3, cid: null, status: 'queued', progress: 0, attempts: 0, lastError: null, createdAtMs: T0, updatedAtMs: T0 },
  ],
  views: [{ id: 's1', expandedPageIds: ['a', 'd'], sidebarWidth: 260, updatedAtMs: T0 }],
};

/** Writes a database exactly as the schema-`version` code would have (only that version's stores). */
const FIXTURES: Record<number, (name: string) => Promise<void>> = {
  1: async (name) => {
    const old = new Dexie(name);
    old.version(migration001.version).stores(migration001.stores);
    await old.open();
    await old.transaction('rw', old.tables, async () => {
      for (const [table, rows] of Object.entries(v1Rows)) await old.table(table).bulkAdd(rows);
    });
    old.close();
  },
  2: async (name) => {
    const old = new Dexie(name);
    old.version(migration001.version).stores(migration001.stores);
    old.version(migration002.version).stores(migration002.stores);
    await old.open();
    await old.transaction('rw', old.tables, async () => {
      for (const [table, rows] of Object.entries(v2Rows)) await old.table(table).bulkAdd(rows);
    });
    old.close();
  },
  3: async (name) => {
    const old = new Dexie(name);
    for (const m of [migration001, migration002, migration003]) old.version(m.version).stores(m.stores);
    await old.open();
    await old.transaction('rw', old.tables, async () => {
      for (const [table, rows] of Object.entries(v3Rows)) await old.table(table).bulkAdd(rows);
    });
    old.close();
  },
};

/** What every row must be after upgrading a v1 fixture to the current schema. */
function expectUpgradedFromV1(after: RawDump): void {
  const values = (store: string) => after.stores[store]!.records.map((r) => r.value);
  const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  // Untouched tables: every row exactly as written.
  expect(byId(values('spaces') as { id: string }[])).toEqual(byId(v1Rows.spaces));
  expect(values('events')).toEqual(v1Rows.events);
  expect(values('tabs')).toEqual(v1Rows.tabs);
  expect(values('routing')).toEqual(v1Rows.routing);
  expect(values('uiPreferences')).toEqual(v1Rows.uiPreferences);
  expect(values('uploadJobs')).toEqual(v1Rows.uploadJobs);
  expect(values('views')).toEqual(v1Rows.views);
  // Pages: every v1 field kept, inTrash added from the ancestors (a trashed => b, c in trash).
  const inTrash: Record<string, boolean> = { 's1/a': true, 's1/b': true, 's1/c': true, 's1/d': false, 's1/e': false, 's2/a': false };
  const pages = values('pages') as { spaceId: string; id: string }[];
  expect(pages).toHaveLength(v1Rows.pages.length);
  for (const v1 of v1Rows.pages) {
    const row = pages.find((p) => p.spaceId === v1.spaceId && p.id === v1.id);
    expect(row, `${v1.spaceId}/${v1.id}`).toEqual({ ...v1, inTrash: inTrash[`${v1.spaceId}/${v1.id}`], links: [] });
  }
  // Drafts: baseUpdatedAtMs backfilled.
  const base: Record<string, number | null> = { d: T0 + 50, e: T0, a: null, zz: null };
  const drafts = values('draftMailbox') as { pageId: string }[];
  expect(drafts).toHaveLength(v1Rows.draftMailbox.length);
  for (const v1 of v1Rows.draftMailbox) {
    expect(drafts.find((d) => d.pageId === v1.pageId)).toEqual({ ...v1, baseUpdatedAtMs: base[v1.pageId] });
  }
  // Manifest: schema bumped, creation facts kept.
  const meta = Object.fromEntries((values('meta') as { key: string; value: unknown }[]).map((m) => [m.key, m.value]));
  expect(meta).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION, appVersionCreatedWith: '0.0.1', createdAt: T0 });
  // The new index exists and skips pages that are not trashed.
  expect(after.stores.pages!.indexes['[spaceId+trashedAt]']).toBeDefined();
  expect(after.stores.pages!.indexes['links']).toEqual({ keyPath: 'links', unique: false, multiEntry: true });
}

/** A schema-2 database: the v1 rows as the v1 -> v2 upgrade left them (pages with inTrash, drafts with a base). */
const v2Rows = {
  ...v1Rows,
  pages: v1Rows.pages.map((p) => ({ ...p, inTrash: p.spaceId === 's1' && ['a', 'b', 'c'].includes(p.id) })),
  draftMailbox: v1Rows.draftMailbox.map((d) => ({ ...d, baseUpdatedAtMs: d.pageId === 'd' ? T0 + 50 : d.pageId === 'e' ? T0 : null })),
  meta: v1Rows.meta.map((m) => (m.key === 'schemaVersion' ? { ...m, value: 2 } : m)),
};

/** What every row must be after upgrading a v2 fixture: pages gain an empty links list, nothing else moves. */
function expectUpgradedFromV2(after: RawDump): void {
  const values = (store: string) => after.stores[store]!.records.map((r) => r.value);
  const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(byId(values('spaces') as { id: string }[])).toEqual(byId(v2Rows.spaces));
  expect(values('events')).toEqual(v2Rows.events);
  expect(values('tabs')).toEqual(v2Rows.tabs);
  expect(values('routing')).toEqual(v2Rows.routing);
  expect(values('uiPreferences')).toEqual(v2Rows.uiPreferences);
  expect(values('uploadJobs')).toEqual(v2Rows.uploadJobs);
  expect(values('views')).toEqual(v2Rows.views);
  const byPage = <T extends { pageId: string }>(rows: T[]) => [...rows].sort((a, b) => (a.pageId < b.pageId ? -1 : 1));
  expect(byPage(values('draftMailbox') as { pageId: string }[])).toEqual(byPage(v2Rows.draftMailbox));
  const pages = values('pages') as { spaceId: string; id: string }[];
  expect(pages).toHaveLength(v2Rows.pages.length);
  for (const v2 of v2Rows.pages) {
    expect(pages.find((p) => p.spaceId === v2.spaceId && p.id === v2.id), `${v2.spaceId}/${v2.id}`).toEqual({ ...v2, links: [] });
  }
  const meta = Object.fromEntries((values('meta') as { key: string; value: unknown }[]).map((m) => [m.key, m.value]));
  expect(meta).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION, appVersionCreatedWith: '0.0.1', createdAt: T0 });
  expect(after.stores.pages!.indexes['links']).toEqual({ keyPath: 'links', unique: false, multiEntry: true });
  expect(after.stores.pages!.indexes['[spaceId+trashedAt]']).toBeDefined();
}

/** A schema-3 database: the v2 rows as the v2 -> v3 upgrade left them (pages with links). */
const v3Rows = {
  ...v2Rows,
  pages: v2Rows.pages.map((p) => ({ ...p, links: p.id === 'a' ? ['b'] : [] })),
  meta: v2Rows.meta.map((m) => (m.key === 'schemaVersion' ? { ...m, value: 3 } : m)),
};

/** After upgrading a v3 fixture: no table changes in schema 4 (the bump only stops older tabs), every row kept. */
function expectUpgradedFromV3(after: RawDump): void {
  for (const [table, rows] of Object.entries(v3Rows)) {
    if (table === 'meta') continue;
    const values = after.stores[table]!.records.map((r) => r.value);
    expect(values, table).toHaveLength(rows.length);
    for (const row of rows) expect(values, table).toContainEqual(row);
  }
  const meta = Object.fromEntries((after.stores.meta!.records.map((r) => r.value) as { key: string; value: unknown }[]).map((m) => [m.key, m.value]));
  expect(meta).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION, appVersionCreatedWith: '0.0.1', createdAt: T0 });
}

const UPGRADE_CHECKS: Record<number, (after: RawDump) => void> = { 1: expectUpgradedFromV1, 2: expectUpgradedFromV2, 3: expectUpgradedFromV3 };

describe('schema and migrations', () => {
  it('has one fixture and one upgrade check for every older schema version', () => {
    const older = MIGRATIONS.map((m) => m.version).filter((v) => v < CURRENT_SCHEMA_VERSION);
    expect(Object.keys(FIXTURES).map(Number)).toEqual(older);
    expect(Object.keys(UPGRADE_CHECKS).map(Number)).toEqual(older);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('creates a fresh database at the current schema with a manifest', async () => {
    const name = freshName('fresh');
    const db = await open(name);
    expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
    db.close();
    const dump = await rawDump(name);
    // Dexie 4 still stores version n as n * 10 in IndexedDB.
    expect(dump.version).toBe(CURRENT_SCHEMA_VERSION * DEXIE_VERSION_FACTOR);
    expect(dump.stores.meta!.records.map((r) => r.value)).toEqual([
      { key: 'appVersionCreatedWith', value: '9.9.9-test' },
      { key: 'createdAt', value: 1_700_000_000_000 },
      { key: 'schemaVersion', value: CURRENT_SCHEMA_VERSION },
    ]);
    expect(Object.keys(dump.stores).sort()).toEqual(
      ['draftMailbox', 'events', 'meta', 'pages', 'routing', 'spaces', 'tabs', 'uiPreferences', 'uploadJobs', 'views'].sort(),
    );
  });

  for (const version of Object.keys(FIXTURES).map(Number)) {
    it(`upgrades a database written by schema ${version} and keeps every row`, async () => {
      const name = freshName(`v${version}`);
      await FIXTURES[version]!(name);
      expect((await rawDump(name)).version).toBe(version * DEXIE_VERSION_FACTOR);
      const db = await open(name);
      expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
      db.close();
      const after = await rawDump(name);
      expect(after.version).toBe(CURRENT_SCHEMA_VERSION * DEXIE_VERSION_FACTOR);
      UPGRADE_CHECKS[version]!(after);
      // Opening again is a no-op.
      const again = await open(name);
      again.close();
      expect(await rawDump(name)).toEqual(after);
    });
  }

  it('refuses a database written by a newer schema and leaves it byte-for-byte untouched', async () => {
    const name = freshName('newer');
    const future = new Dexie(name);
    const futureVersion = CURRENT_SCHEMA_VERSION + 1;
    for (const m of MIGRATIONS) future.version(m.version).stores(m.stores);
    // The future schema drops an index and adds a table: had Dexie "patched" it, the dump would differ.
    future.version(futureVersion).stores({ pages: '[spaceId+id], [spaceId+parentId+order]', comments: 'id, pageId' });
    await future.open();
    await future.table('meta').bulkPut([
      { key: 'schemaVersion', value: futureVersion },
      { key: 'appVersionCreatedWith', value: '99.0.0' },
      { key: 'createdAt', value: T0 },
    ]);
    await future.table('spaces').put(v1Rows.spaces[0]);
    await future.table('comments').put({ id: 'c1', pageId: 'a', text: 'from the future' });
    future.close();
    const before = await rawDump(name);
    expect(before.version).toBe(futureVersion * DEXIE_VERSION_FACTOR);

    const error = await openQuireDatabase({ name }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as PersistenceError).code).toBe(ErrorCode.VersionTooNew);
    expect((error as PersistenceError).message).toMatch(/newer version of Quire/);
    expect(await rawDump(name)).toEqual(before);
  });

  it('refuses a database whose manifest declares a newer schema, without writing', async () => {
    const name = freshName('newer-manifest');
    const db = await open(name);
    await db.meta.put({ key: 'schemaVersion', value: CURRENT_SCHEMA_VERSION + 5 });
    db.close();
    const before = await rawDump(name);
    await expect(openQuireDatabase({ name })).rejects.toMatchObject({ code: ErrorCode.VersionTooNew });
    expect(await rawDump(name)).toEqual(before);
  });

  it('closes and signals when another tab upgrades the database', async () => {
    const name = freshName('versionchange');
    const db = await open(name);
    const signals: DatabaseSignal[] = [];
    db.signals.subscribe((s) => signals.push(s));
    await db.tabs.put({ id: 't1', spaceId: null, pageId: null, title: 'x', path: '/', order: 'a0', updatedAtMs: 1 });

    // "Another tab" running newer code opens the same database with the next schema.
    const newer = new Dexie(name);
    for (const m of MIGRATIONS) newer.version(m.version).stores(m.stores);
    newer.version(CURRENT_SCHEMA_VERSION + 1).stores({ comments: 'id' });
    await newer.open(); // not blocked: the old connection closed itself
    newer.close();

    expect(signals).toEqual([
      expect.objectContaining({ type: 'version-change', dbName: name, newVersion: CURRENT_SCHEMA_VERSION + 1 }),
    ]);
    expect(db.signals.last?.type).toBe('version-change');
    expect(db.isOpen()).toBe(false);
    // The old tab can no longer write: every call fails with a typed error instead of reopening.
    const write = db.tabs.put({ id: 't2', spaceId: null, pageId: null, title: 'y', path: '/', order: 'a1', updatedAtMs: 2 });
    await expect(write).rejects.toMatchObject({ name: 'DatabaseClosedError' });
    // And reopening with this code is refused: the database is now newer.
    await expect(openQuireDatabase({ name })).rejects.toMatchObject({ code: ErrorCode.VersionTooNew });
  });

  it('maps a failing open to a PersistenceError', async () => {
    const failing = { ...indexedDB, open: () => { throw new DOMException('no space', 'QuotaExceededError'); } } as unknown as IDBFactory;
    const error = await openQuireDatabase({ name: freshName('quota'), indexedDB: failing }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as PersistenceError).code).toBe(ErrorCode.QuotaExceeded);
  });
});
