/**
 * The upgrade row (issue 12): moving a space out of the page store's format (y-indexeddb 9: one database per
 * document) into the space store with `upgradeSpace`, against what the platform itself needs for the same rows, a
 * raw read of every page database of the space plus a raw write of the same rows into one database. One call is
 * one sample, so the runner can read the page's heap around each (bench/workloads/upgrade.ts).
 *
 * The upgrade deletes its sources, so each sample upgrades a freshly seeded space (bench/workloads/upgrade.ts).
 */
import { spaceDbPrefix } from '../../src/storage/pages/naming.ts';
import { legacyDatabases } from '../../src/storage/space/upgrade/legacyDatabases.ts';
import { upgradeSpace, type UpgradeProgress } from '../../src/storage/space/upgrade/upgradeSpace.ts';
import { spaceDbName } from '../../src/storage/space/spaceDbSchema.ts';
import { deleteDb, done, openDb, req } from './timing.ts';

/** The raw write's target: one database, the space store's key shape ([docId, seq]) in one store. */
const RAW_TARGET_DB = 'bench-upgrade-target';

interface PageRows {
  docId: string;
  keys: IDBValidKey[];
  values: unknown[];
}

/** The page databases of a space in this origin, by name. */
async function pageDbNames(spaceId: string): Promise<string[]> {
  const prefix = spaceDbPrefix(spaceId);
  return (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => name.startsWith(prefix));
}

/** Reads every row of every page database of a space, one database at a time, as an upgrade must. */
async function readAll(names: readonly string[], prefix: string): Promise<PageRows[]> {
  const out: PageRows[] = [];
  for (const name of names) {
    const db = await req(indexedDB.open(name));
    const tx = db.transaction('updates');
    const keys = req(tx.objectStore('updates').getAllKeys());
    const values = req(tx.objectStore('updates').getAll());
    out.push({ docId: decodeURIComponent(name.slice(prefix.length)), keys: await keys, values: await values });
    db.close();
  }
  return out;
}

/** Writes every row into one store under [docId, seq] in one transaction. */
async function writeAll(pages: readonly PageRows[]): Promise<void> {
  const db = await openDb(RAW_TARGET_DB, (d) => d.createObjectStore('updates'));
  const tx = db.transaction('updates', 'readwrite');
  const store = tx.objectStore('updates');
  for (const p of pages) p.values.forEach((v, i) => store.put(v, [p.docId, i]));
  await done(tx);
  db.close();
}

/** One sample of the raw read plus raw write of a space in the page store's format; the target is deleted after, untimed. */
export async function rawMove(spaceId: string) {
  const prefix = spaceDbPrefix(spaceId);
  const names = await pageDbNames(spaceId);
  await deleteDb(RAW_TARGET_DB);
  const t0 = performance.now();
  const pages = await readAll(names, prefix);
  await writeAll(pages);
  const ms = performance.now() - t0;
  await deleteDb(RAW_TARGET_DB);
  return { ms, databases: names.length, rows: pages.reduce((sum, p) => sum + p.keys.length, 0) };
}

/**
 * One sample of the upgrade: `upgradeSpace` of a space in the page store's format, as the app runs it (copy,
 * verify, mark moved, then the sweep that re-reads and deletes every source). The origin's `legacyDatabases()`
 * listing is timed apart: the app makes it once for all spaces. `movingMs` is the copy-and-verify phase (until the
 * first source is removed), the rest the sweep. The moved space is deleted after, untimed.
 */
export async function upgrade(spaceId: string) {
  let t0 = performance.now();
  const legacyDocs = (await legacyDatabases()).get(spaceId) ?? [];
  const listMs = performance.now() - t0;
  t0 = performance.now();
  // Where the time goes: the copy-and-verify phase ends when the sweep reports its first removed source.
  let movingMs = 0;
  const onProgress = (p: UpgradeProgress) => {
    if (p.phase === 'cleaning' && movingMs === 0) movingMs = performance.now() - t0;
  };
  const outcome = await upgradeSpace(spaceId, { legacyDocs, onProgress });
  const ms = performance.now() - t0;
  const left = (await pageDbNames(spaceId)).length;
  await deleteDb(spaceDbName(spaceId));
  return { ms, movingMs, listMs, docs: legacyDocs.length, moved: outcome.moved, removed: outcome.removed, setAside: outcome.setAside, left };
}

/** The origin's storage use and quota in MiB (logged before each upgrade sample). */
export async function storageMiB(): Promise<{ usage: number; quota: number }> {
  const e = await navigator.storage.estimate();
  return { usage: (e.usage ?? 0) / 2 ** 20, quota: (e.quota ?? 0) / 2 ** 20 };
}
