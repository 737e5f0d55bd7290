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
import { MAX_UPDATE_BYTES } from '../../core/guard/UpdateGuard.ts';
import { asBytes } from './idb.ts';

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
