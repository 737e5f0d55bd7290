/**
 * The upgrade row's baseline (issue 12): what moving a space out of the page store's format costs the platform
 * itself, a raw read of every page database of the space (y-indexeddb 9's format, as the page store wrote them)
 * plus a raw write of the same rows into one database. The upgrade itself is timed here once its API is final
 * (TODO(issue 12), see bench/workloads/upgrade.ts).
 */
import { spaceDbPrefix } from '../../src/storage/pages/naming.ts';
import { deleteDb, done, openDb, req, sample } from './timing.ts';

/** The raw write's target: one database, the space store's key shape ([docId, seq]) in one store. */
const RAW_TARGET_DB = 'bench-upgrade-target';

interface PageRows {
  docId: string;
  keys: IDBValidKey[];
  values: unknown[];
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

/** The raw read plus raw write of a space in the page store's format; the target database is deleted between samples, untimed. */
export async function rawMove(n: number, spaceId: string) {
  const prefix = spaceDbPrefix(spaceId);
  const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => name.startsWith(prefix));
  let rows = 0;
  const samples = await sample(
    n,
    async () => {
      const pages = await readAll(names, prefix);
      rows = pages.reduce((sum, p) => sum + p.keys.length, 0);
      await writeAll(pages);
    },
    () => deleteDb(RAW_TARGET_DB),
  );
  await deleteDb(RAW_TARGET_DB);
  return { samples, databases: names.length, rows };
}
