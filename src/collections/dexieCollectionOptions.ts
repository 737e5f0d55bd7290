import { liveQuery, type IndexableType, type Table, type UpdateSpec } from 'dexie';
import { deepEquals, type CollectionConfig, type PendingMutation } from '@tanstack/react-db';
import { ErrorCode, PersistenceError } from '../core/errors.ts';
import { fromDexieError } from '../core/persistence/fromDexieError.ts';

export interface DexieCollectionConfig<T extends object, TKey extends string | number, TDexieKey extends IndexableType = IndexableType> {
  /** Unique among the app's collections (TanStack DB uses it in query plans and devtools). */
  id: string;
  table: Table<T, TDexieKey>;
  getKey: (row: T) => TKey;
  /**
   * The rows this collection holds; all rows of the table when omitted. It runs inside a Dexie liveQuery,
   * so only writes to the key ranges it read wake it up: a query through an index
   * (`table.where('[spaceId+parentId+order]').between(...)`) follows just that slice.
   */
  query?: (table: Table<T, TDexieKey>) => Promise<T[]>;
  /** Projections of canonical data: the UI may not write them (writes throw 'forbidden'). */
  readOnly?: boolean;
  /** The Dexie primary key of a collection key, for writes. Defaults to the key itself. */
  toDexieKey?: (key: TKey) => TDexieKey;
  /** Row order of the collection (TanStack DB keeps rows sorted by it). */
  compare?: (a: T, b: T) => number;
  /** Errors of the live query after the first load: the last good rows stay and the error is reported. */
  onError?: (error: PersistenceError) => void;
  /** See TanStack DB: how long an unused collection keeps its rows. */
  gcTime?: number;
}

/** What a confirmed Dexie write did to one key, fed back into the collection's synced state. */
type Confirmed<T, TKey> = { type: 'upsert'; key: TKey; row: T } | { type: 'delete'; key: TKey };

/**
 * TanStack DB collection options over one Dexie table (our own adapter: the community one creates its own
 * database and swallows errors).
 *
 * Reads: a Dexie liveQuery loads the rows, then follows changes made through Dexie by this tab and by
 * other tabs (Dexie relays them over BroadcastChannel); each result is diffed against the last one and
 * only the differences reach the collection.
 *
 * Writes (writable collections only; last writer wins, which document 001 allows for UI state only):
 * onInsert/onUpdate/onDelete write every mutation of the TanStack transaction in ONE Dexie transaction and
 * resolve only after it completed; the written rows then become the synced state directly, so the row
 * does not flicker between the optimistic value and the next liveQuery result. A failed write rejects with
 * a PersistenceError (quota-exceeded, storage-unavailable, invalid-operation for a duplicate insert,
 * not-found for an update of a row deleted meanwhile), and TanStack DB rolls the optimistic change back.
 */
export function dexieCollectionOptions<T extends object, TKey extends string | number, TDexieKey extends IndexableType = IndexableType>(
  config: DexieCollectionConfig<T, TKey, TDexieKey>,
): CollectionConfig<T, TKey> {
  const { id, table, getKey } = config;
  const query = config.query ?? ((t: Table<T, TDexieKey>) => t.toArray());
  const toDexieKey = config.toDexieKey ?? ((key: TKey) => key as unknown as TDexieKey);
  /** The current sync run's way to publish confirmed writes; null while no run is active. */
  let confirm: ((confirmed: readonly Confirmed<T, TKey>[]) => void) | null = null;

  const persist = async (mutations: readonly PendingMutation<T>[]): Promise<void> => {
    if (config.readOnly) throw forbidden(id);
    let confirmed: Confirmed<T, TKey>[];
    try {
      confirmed = await table.db.transaction('rw', table, async () => {
        const out: Confirmed<T, TKey>[] = [];
        for (const m of mutations) {
          const key = m.key as TKey;
          if (m.type === 'insert') {
            const row = withoutVirtualProps(m.modified);
            await table.add(row);
            out.push({ type: 'upsert', key, row });
          } else if (m.type === 'update') {
            // Only the changed fields: another tab may have written the others since (last writer wins
            // per field, not per row).
            await table.update(toDexieKey(key), withoutVirtualProps(m.changes) as UpdateSpec<T>);
            const row = await table.get(toDexieKey(key));
            if (!row) throw new PersistenceError(ErrorCode.NotFound, `${id}: row ${String(key)} no longer exists`);
            out.push({ type: 'upsert', key, row });
          } else {
            await table.delete(toDexieKey(key));
            out.push({ type: 'delete', key });
          }
        }
        return out;
      });
    } catch (e) {
      throw fromDexieError(e, { action: `write ${id}` });
    }
    confirm?.(confirmed);
  };

  return {
    id,
    getKey,
    ...(config.compare ? { compare: config.compare } : {}),
    ...(config.gcTime !== undefined ? { gcTime: config.gcTime } : {}),
    sync: {
      rowUpdateMode: 'full',
      sync: ({ begin, write, commit, markReady, markError }) => {
        /** What this run has published, to diff the next liveQuery result against. */
        let known = new Map<TKey, T>();
        let ready = false;

        const publish = (changes: readonly Confirmed<T, TKey>[]): void => {
          let open = false;
          const start = () => {
            if (!open) begin();
            open = true;
          };
          for (const change of changes) {
            const before = known.get(change.key);
            if (change.type === 'delete') {
              if (!before) continue;
              start();
              write({ type: 'delete', key: change.key });
              known.delete(change.key);
            } else if (!before || !deepEquals(before, change.row)) {
              start();
              write({ type: before ? 'update' : 'insert', value: change.row });
              known.set(change.key, change.row);
            }
          }
          if (!open) return;
          // Not awaited: a receipt resolves only after a persisting optimistic transaction settles, and
          // this may run inside that transaction's handler. It rejects only if cleanup abandons the run.
          const receipt = commit();
          if (receipt !== true) receipt.catch(() => undefined);
        };

        // Dexie's liveQuery silently swallows DatabaseClosedError (it expects an auto-reopen), which would
        // leave the collection loading forever once the database is closed for good (another tab
        // upgraded it). Mapped to a PersistenceError, the failure reaches `error` below.
        const load = () =>
          query(table).catch((e: unknown) => {
            throw fromDexieError(e, { action: `load ${id}` });
          });
        const subscription = liveQuery(load).subscribe({
          next: (rows) => {
            const next = new Map<TKey, T>(rows.map((row) => [getKey(row), row]));
            const changes: Confirmed<T, TKey>[] = [];
            for (const [key, row] of next) changes.push({ type: 'upsert', key, row });
            for (const key of known.keys()) if (!next.has(key)) changes.push({ type: 'delete', key });
            publish(changes);
            known = next;
            if (!ready) {
              ready = true;
              markReady();
            }
          },
          error: (e: unknown) => {
            const error = fromDexieError(e, { action: `load ${id}` });
            if (!ready) markError(error);
            else config.onError?.(error);
          },
        });
        confirm = publish;

        return () => {
          subscription.unsubscribe();
          if (confirm === publish) confirm = null;
        };
      },
    },
    onInsert: ({ transaction }) => persist(transaction.mutations),
    onUpdate: ({ transaction }) => persist(transaction.mutations),
    onDelete: ({ transaction }) => persist(transaction.mutations),
  };
}

export function forbidden(id: string): PersistenceError {
  return new PersistenceError(
    ErrorCode.Forbidden,
    `${id} is a read-only projection of canonical data; change it through the core (ProjectionWriter), not the collection.`,
  );
}

/** Drops TanStack DB's `$`-prefixed virtual props (they appear when a UI spreads a collection row). */
function withoutVirtualProps<R extends object>(row: R): R {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('$')) out[k] = v;
  return out as R;
}
