import type { Table, Transaction } from 'dexie';
import type { Migration } from './Migration.ts';

/** The page row as schema 1 wrote it (no inTrash). */
interface PageRowV1 {
  spaceId: string;
  id: string;
  parentId: string;
  trashed: boolean;
}

/** The draft row as schema 1 wrote it (no baseUpdatedAtMs). */
interface DraftRowV1 {
  pageId: string;
  spaceId: string;
  updatedAtMs: number;
}

/** Bounds the ancestor walk of one page: deeper chains (or a cycle in a corrupt projection) stop here
 * and count as not in the trash; the next projection rebuild writes the canonical value. */
const MAX_ANCESTOR_DEPTH = 10_000;

/**
 * Schema 2: pages gain `inTrash` (the page or an ancestor is trashed) and a [spaceId+trashedAt] index for
 * the trash view (null trashedAt keeps a row out of it); drafts gain `baseUpdatedAtMs`. Released: never edit.
 */
export const migration002: Migration = {
  version: 2,
  description: 'pages.inTrash + trash index, draftMailbox.baseUpdatedAtMs',
  stores: {
    pages: '[spaceId+id], [spaceId+parentId+order], [spaceId+trashedAt]',
  },
  upgrade: async (tx: Transaction) => {
    const pages = tx.table('pages') as Table<PageRowV1 & Record<string, unknown>>;
    const rows = await pages.toArray();
    const byKey = new Map(rows.map((r) => [key(r.spaceId, r.id), r]));
    const inTrash = (row: PageRowV1): boolean => {
      let current: PageRowV1 | undefined = row;
      for (let depth = 0; current && depth < MAX_ANCESTOR_DEPTH; depth++) {
        if (current.trashed) return true;
        current = byKey.get(key(current.spaceId, current.parentId));
      }
      return false;
    };
    await pages.bulkPut(rows.map((r) => ({ ...r, inTrash: inTrash(r) })));

    // A draft written before schema 2 does not say which page revision it was based on. If the page has
    // not changed since the draft was written, that revision is the page's current one; otherwise it is
    // unknown (null), which the mailbox policy treats as a possible conflict rather than silently stale.
    const drafts = tx.table('draftMailbox') as Table<DraftRowV1 & Record<string, unknown>>;
    const draftRows = await drafts.toArray();
    await drafts.bulkPut(
      draftRows.map((d) => {
        const page = byKey.get(key(d.spaceId, d.pageId)) as { updatedAt?: unknown } | undefined;
        const pageUpdatedAt = typeof page?.updatedAt === 'number' ? page.updatedAt : null;
        const base = pageUpdatedAt !== null && pageUpdatedAt <= d.updatedAtMs ? pageUpdatedAt : null;
        return { ...d, baseUpdatedAtMs: base };
      }),
    );

    await tx.table('meta').put({ key: 'schemaVersion', value: 2 });
  },
};

function key(spaceId: string, pageId: string): string {
  return `${spaceId}\u0000${pageId}`;
}
