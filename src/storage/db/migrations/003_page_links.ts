import type { Table, Transaction } from 'dexie';
import type { Migration } from './Migration.ts';

/** The page row as schema 2 wrote it (no links). */
interface PageRowV2 {
  spaceId: string;
  id: string;
}

/**
 * Schema 3: pages gain `links` (the pages a page's content links to) and a multiEntry index `*links`, so
 * the backlinks of a page are one index read. IndexedDB cannot combine multiEntry with a compound key, so
 * the index is over the page ids alone and the reader filters by spaceId (ids are random UUIDs). No older
 * code wrote links, so every existing row gets an empty list. Released: never edit.
 */
export const migration003: Migration = {
  version: 3,
  description: 'pages.links + *links index (backlinks)',
  stores: {
    pages: '[spaceId+id], [spaceId+parentId+order], [spaceId+trashedAt], *links',
  },
  upgrade: async (tx: Transaction) => {
    const pages = tx.table('pages') as Table<PageRowV2 & Record<string, unknown>>;
    const rows = await pages.toArray();
    await pages.bulkPut(rows.map((r) => ({ ...r, links: [] })));
    await tx.table('meta').put({ key: 'schemaVersion', value: 3 });
  },
};
