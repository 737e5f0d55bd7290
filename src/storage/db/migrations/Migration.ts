import type { Transaction } from 'dexie';

/**
 * One released schema version of the "quire" database. A migration file is frozen once released: a new
 * schema is a new numbered file, never an edit, so every database ever written can still be upgraded
 * step by step. Migrations therefore declare their own row shapes instead of importing ../rows.ts,
 * which describes only the newest schema.
 */
export interface Migration {
  /** The Dexie version (IndexedDB stores it multiplied by DEXIE_VERSION_FACTOR). */
  readonly version: number;
  readonly description: string;
  /** Dexie store declarations that change in this version (null deletes a table). */
  readonly stores: Readonly<Record<string, string | null>>;
  /** Rewrites rows written by the previous version; runs inside Dexie's upgrade transaction. */
  readonly upgrade?: (tx: Transaction) => Promise<void>;
}
