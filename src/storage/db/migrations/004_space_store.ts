import type { Transaction } from 'dexie';
import type { Migration } from './Migration.ts';

/**
 * Schema 4: no table changes. Page documents move from one IndexedDB database per page into one database per
 * space (decision 0010; src/storage/space/upgrade). The version bump is how tabs still running the previous
 * version learn of it: Dexie's `versionchange` stops them (read-only, "Reload") before any of their pages is
 * moved, and they cannot open the database again without reloading into this version. Released: never edit.
 */
export const migration004: Migration = {
  version: 4,
  description: 'space store: page documents move to one database per space (version bump stops older tabs)',
  stores: {},
  upgrade: async (tx: Transaction) => {
    await tx.table('meta').put({ key: 'schemaVersion', value: 4 });
  },
};
