/**
 * The SyncStateStore of the browser: its own small IndexedDB database `quire-sync` (Dexie), apart from
 * `quire`, so it needs no migration of the main schema and can be dropped without touching user data
 * (losing it costs one full pass, never data).
 *
 * Schema version 1: table `spaces` (primary key `key` = `<relayUrl>|<spaceId>`: `{ key, seq, known }`) and
 * table `dirty` (primary key `[key+docId]`: one row per page changed here and not yet stored by the relay).
 */
import { Dexie, type Table } from 'dexie';
import type { PersistenceError } from '../../core/errors.ts';
import { fromDexieError } from '../../core/persistence/fromDexieError.ts';
import type { SyncState, SyncStateStore } from './SyncStateStore.ts';

export const SYNC_DB_NAME = 'quire-sync';
export const SYNC_DB_VERSION = 1;

interface SpaceRow {
  key: string;
  seq: number;
  known: boolean;
}
interface DirtyRow {
  key: string;
  docId: string;
}

class SyncDatabase extends Dexie {
  declare readonly spaces: Table<SpaceRow, string>;
  declare readonly dirty: Table<DirtyRow, [string, string]>;
  constructor(options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange }) {
    super(SYNC_DB_NAME, options?.indexedDB ? { indexedDB: options.indexedDB, IDBKeyRange: options.IDBKeyRange } : undefined);
    this.version(SYNC_DB_VERSION).stores({ spaces: 'key', dirty: '[key+docId], key' });
  }
}

/** A failure of this store, typed like every Dexie failure: a full disk is 'quota-exceeded', not an outage. */
function failed(what: string, cause: unknown): PersistenceError {
  return fromDexieError(cause, { action: `Sync state: ${what}`, layer: SYNC_DB_NAME });
}

export class IndexedDbSyncStateStore implements SyncStateStore {
  private readonly db: SyncDatabase;

  constructor(options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange }) {
    this.db = new SyncDatabase(options);
  }

  async get(key: string): Promise<SyncState> {
    try {
      return await this.db.transaction('r', this.db.spaces, this.db.dirty, async () => {
        const row = await this.db.spaces.get(key);
        const dirty = await this.db.dirty.where('key').equals(key).toArray();
        return { seq: row?.seq ?? 0, known: row?.known ?? false, dirty: new Set(dirty.map((d) => d.docId)) };
      });
    } catch (e) {
      throw failed('read', e);
    }
  }

  async addDirty(key: string, docIds: readonly string[]): Promise<void> {
    try {
      await this.db.dirty.bulkPut(docIds.map((docId) => ({ key, docId })));
    } catch (e) {
      throw failed('mark pages changed', e);
    }
  }

  async removeDirty(key: string, docIds: readonly string[]): Promise<void> {
    try {
      await this.db.dirty.bulkDelete(docIds.map((docId): [string, string] => [key, docId]));
    } catch (e) {
      throw failed('mark pages stored', e);
    }
  }

  async setSeq(key: string, seq: number): Promise<void> {
    try {
      await this.db.spaces.put({ key, seq, known: true });
    } catch (e) {
      throw failed('record a pass', e);
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.db.transaction('rw', this.db.spaces, this.db.dirty, async () => {
        await this.db.spaces.delete(key);
        await this.db.dirty.where('key').equals(key).delete();
      });
    } catch (e) {
      throw failed('forget a space', e);
    }
  }

  close(): void {
    this.db.close();
  }
}
