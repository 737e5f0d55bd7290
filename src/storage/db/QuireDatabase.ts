import { Dexie, type Table } from 'dexie';
import { APP_VERSION } from './appVersion.ts';
import { DatabaseSignals } from './DatabaseSignals.ts';
import { DEXIE_VERSION_FACTOR, guardedIndexedDB } from './guardedIndexedDB.ts';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.ts';
import type {
  DraftMailboxRow,
  EventRow,
  MetaRow,
  PageRow,
  RoutingRow,
  SpaceRow,
  TabRow,
  UiPreferenceRow,
  UploadJobRow,
  ViewRow,
} from './rows.ts';

/** The one global database: registry + per-space rows keyed by spaceId. */
export const QUIRE_DB_NAME = 'quire';

export interface QuireDatabaseOptions {
  /** The IndexedDB implementation (tests may pass their own); defaults to the global one. */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  /** Recorded in the manifest of a database this instance creates. */
  appVersion?: string;
  /** Time source for the manifest's createdAt. */
  now?: () => number;
}

/**
 * The Dexie database of Quire. Open it with openQuireDatabase(), which also checks the manifest.
 *
 * Dexie may reopen a connection the browser closed (bfcache, `onclose`); that is safe because every open
 * goes through guardedIndexedDB, which refuses a newer schema. After another tab's upgrade the instance is
 * closed for good: later calls reject with DatabaseClosedError ('storage-unavailable').
 */
export class QuireDatabase extends Dexie {
  declare readonly spaces: Table<SpaceRow, string>;
  declare readonly pages: Table<PageRow, [string, string]>;
  declare readonly events: Table<EventRow, [string, number]>;
  declare readonly meta: Table<MetaRow, string>;
  declare readonly tabs: Table<TabRow, string>;
  declare readonly routing: Table<RoutingRow, string>;
  declare readonly uiPreferences: Table<UiPreferenceRow, string>;
  declare readonly draftMailbox: Table<DraftMailboxRow, string>;
  declare readonly uploadJobs: Table<UploadJobRow, string>;
  declare readonly views: Table<ViewRow, string>;

  /** Connection signals (another tab upgraded, the browser closed the connection). */
  readonly signals = new DatabaseSignals();

  constructor(name: string = QUIRE_DB_NAME, options: QuireDatabaseOptions = {}) {
    const real = options.indexedDB ?? globalThis.indexedDB;
    super(name, {
      indexedDB: real ? guardedIndexedDB(real, CURRENT_SCHEMA_VERSION * DEXIE_VERSION_FACTOR) : undefined,
      ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}),
    });
    for (const migration of MIGRATIONS) {
      const version = this.version(migration.version).stores(migration.stores);
      if (migration.upgrade) version.upgrade(migration.upgrade);
    }

    const appVersion = options.appVersion ?? APP_VERSION;
    const now = options.now ?? Date.now;
    // A database created fresh gets the newest schema directly (Dexie skips the upgrade functions), so its
    // manifest is written here, in the same transaction that creates the tables.
    this.on('populate', (tx) => {
      void tx.table('meta').bulkPut([
        { key: 'schemaVersion', value: CURRENT_SCHEMA_VERSION },
        { key: 'appVersionCreatedWith', value: appVersion },
        { key: 'createdAt', value: now() },
      ] satisfies MetaRow[]);
    });

    // Another connection (a tab running newer code, or a delete) needs this one gone. Dexie's default
    // closes and reopens on the next call (the reopen would then fail with 'version-too-new' deep inside
    // some unrelated write); instead close for good now and tell the app, which stops writing and asks for
    // a reload. Returning false stops Dexie's default handler.
    this.on('versionchange', (event: IDBVersionChangeEvent) => {
      const newVersion = event.newVersion === null || event.newVersion === 0 ? null : event.newVersion / DEXIE_VERSION_FACTOR;
      this.close({ disableAutoOpen: true });
      this.signals.emit({
        type: 'version-change',
        dbName: this.name,
        newVersion,
        message:
          newVersion === null
            ? 'The local database was deleted in another tab. Reload to continue.'
            : `Another tab upgraded the local database to schema ${newVersion}. This tab stopped writing; reload to continue.`,
      });
      return false;
    });
  }
}
