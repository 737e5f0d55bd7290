/**
 * Compaction: replacing a document's rows by one row holding their merge, so the number of rows (and so the
 * cost of a load and of the guard's per-row checks) stays bounded.
 *
 * Threshold: 500 rows, y-indexeddb's PREFERRED_TRIM_SIZE. The same bound for both runtimes means a database
 * looks "big" to neither of them at a different size. A lower bound buys little: reading 500 small rows is one
 * getAll of a few milliseconds, while every compaction costs O(document size) (merge + two validation applies),
 * so halving the threshold doubles that cost for large documents.
 */
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { MAX_UPDATE_BYTES } from '../../core/guard/UpdateGuard.ts';
import { asBytes, onSuccess } from './idb.ts';
import type { Fail } from './idb.ts';

/** A document is compacted once it holds MORE than this many rows (bounds rows per document at quiescence). */
export const COMPACT_ABOVE_ROWS = 500;

/**
 * Bounds the size of the one row a compaction writes: the guard refuses stored rows above MAX_UPDATE_BYTES, so a
 * bigger merged row would make the next load set the WHOLE document aside. Such a document keeps its rows.
 */
export const MAX_MERGED_ROW_BYTES = MAX_UPDATE_BYTES;

export type MergeCheck =
  | { readonly ok: true; readonly merged: Uint8Array }
  | { readonly ok: false; readonly reason: 'corrupt' | 'too-large'; readonly error: unknown };

/**
 * Merges stored values into one update and proves the merge loses nothing before anyone deletes a row:
 * every value must be update bytes, `Y.mergeUpdates` must not throw, applying the merged update to a fresh doc
 * must not throw, and the result must equal (same state vector and delete set) a fresh doc that applied the rows
 * one by one. Any failure means a corrupt row is in the range: the caller must leave the rows as they are.
 * A merge larger than `maxBytes` is refused as 'too-large' before the (costly) validation.
 */
export function mergeChecked(values: readonly unknown[], maxBytes = MAX_MERGED_ROW_BYTES): MergeCheck {
  let merged: Uint8Array;
  let updates: Uint8Array[];
  try {
    updates = values.map((value, i) => {
      const bytes = asBytes(value);
      if (bytes.length === 0) throw new Error(`row ${i} of the range is not a Yjs update`);
      return bytes;
    });
    merged = Y.mergeUpdates(updates);
  } catch (error) {
    return { ok: false, reason: 'corrupt', error };
  }
  if (merged.byteLength > maxBytes) {
    return { ok: false, reason: 'too-large', error: new Error(`the merged row would be ${merged.byteLength} bytes, above ${maxBytes}`) };
  }
  try {
    const fromRows = new Y.Doc();
    for (const u of updates) Y.applyUpdate(fromRows, u);
    const fromMerged = new Y.Doc();
    Y.applyUpdate(fromMerged, merged);
    if (!Y.equalSnapshots(Y.snapshot(fromRows), Y.snapshot(fromMerged))) {
      throw new Error('the merged update does not reproduce the rows it would replace');
    }
    fromRows.destroy();
    fromMerged.destroy();
    return { ok: true, merged };
  } catch (error) {
    return { ok: false, reason: 'corrupt', error };
  }
}

export type CompactionOutcome =
  | { readonly kind: 'compacted'; readonly merged: number }
  | { readonly kind: 'not-needed'; readonly rows: number }
  /** A row in the range does not merge cleanly, or the merge would be too large a row: nothing was changed. */
  | { readonly kind: 'skipped'; readonly reason: 'corrupt' | 'too-large'; readonly rows: number; readonly error: unknown }
  /** This instance has not loaded (or created) the document: it does not compact rows it has not seen vetted. */
  | { readonly kind: 'not-loaded' };

/** The error a store reports when a background compaction of `docId` was skipped: nothing changed, nothing lost. */
export function compactionSkippedError(layer: string, docId: string, outcome: Extract<CompactionOutcome, { kind: 'skipped' }>): PersistenceError {
  const [code, why] =
    outcome.reason === 'corrupt'
      ? [ErrorCode.CorruptData, 'a row does not merge cleanly']
      : [ErrorCode.InvalidUpdate, 'the merged row would exceed the size the guard accepts'];
  return new PersistenceError(code, `${layer} (${docId}): compaction skipped, ${why}; rows left as they are`, { cause: outcome.error, layer, docId });
}

/** Which rows a compaction replaces and where their merge goes (the space store compacts one document's range). */
export interface CompactionTarget {
  /** The rows to compact: default, the whole store (a page database holds one document). */
  readonly range?: IDBKeyRange;
  /**
   * Writes the merged row, in the same transaction, under a key no row read had (so a stale key handed to
   * setAside never finds the merge). Default: `store.add(merged)`, the next autoIncrement key.
   */
  readonly addMerged?: (merged: Uint8Array) => void;
}

/**
 * Replaces all rows of 'updates' (or of `target.range`) by their checked merge when there are more than `above`,
 * inside the caller's ONE readwrite transaction: read keys and values, merge and check, delete exactly the key
 * range that was read and add the merged row. Writes from this or another tab queue behind the transaction (same
 * store), so a save racing the compaction either was read and merged, or lands after it with a higher key: never
 * lost. Returns a function to read once the transaction completed.
 */
export function compactInTransaction(
  store: IDBObjectStore,
  fail: Fail,
  above: number,
  target: CompactionTarget = {},
): () => { outcome: CompactionOutcome; rowsAfter: number } {
  const keysRequest = target.range ? store.getAllKeys(target.range) : store.getAllKeys();
  let outcome: CompactionOutcome = { kind: 'not-needed', rows: 0 };
  let rowsAfter = 0;
  onSuccess(target.range ? store.getAll(target.range) : store.getAll(), fail, (values) => {
    const keys = keysRequest.result;
    rowsAfter = keys.length;
    if (keys.length <= above) {
      outcome = { kind: 'not-needed', rows: keys.length };
      return;
    }
    const check = mergeChecked(values);
    if (!check.ok) {
      outcome = { kind: 'skipped', reason: check.reason, rows: keys.length, error: check.error };
      return;
    }
    store.delete(IDBKeyRange.bound(keys[0], keys[keys.length - 1]));
    if (target.addMerged) target.addMerged(check.merged);
    else store.add(check.merged);
    rowsAfter = 1;
    outcome = { kind: 'compacted', merged: keys.length };
  });
  return () => ({ outcome, rowsAfter });
}
