/**
 * The storage upgrade: moving one space from the page store's format (y-indexeddb 9: one database per document,
 * ../../pages) into the space store (one database per space, ../spaceDbSchema.ts). Decision 0010.
 *
 * Promises, and how each is kept:
 * - Resumable, nothing duplicated: the space store's `meta` 'upgrade' record says where the space is. While it
 *   is 'moving' nobody opens the space from the space store, so each document is moved by REPLACING whatever an
 *   earlier, interrupted run left for it (`replaceDoc`, one transaction): run it any number of times, each
 *   document holds one copy. A crash at any point leaves either the old or the new copy of each document, and
 *   the source databases untouched until every document is verified.
 * - Verified: after each write, the document is read back from the space store and rebuilt; its state vector and
 *   its encoded state must equal those of the source, rebuilt the same way (a fresh document applying all rows in
 *   one transaction, so both sides merge their structs alike). Only when every document verified is the record
 *   set to 'moved' (one durable write), and only then is any source database deleted.
 * - Nothing lost after the move: a tab of the previous version may still flush into a source after it was read
 *   (the Dexie schema bump told it to stop, but its last keystrokes may be in flight). So before a source is
 *   deleted it is read again and whatever it holds that the space store lacks is appended (a new row; Yjs
 *   ignores what it already has). A source written after its deletion is found by the next run, which does the
 *   same for every page database of a space already 'moved' (`sweep`).
 * - Never half-moved: a source that cannot be read (the open or the read fails, a row the guard refuses is NOT
 *   that: it is carried over into `setAside`, as opening the page would do) stops the run with a
 *   StorageUpgradeError before the record says 'moved'. The sources are left as they were and the space keeps
 *   working from them (src/app/SpaceStores.ts).
 *
 * The reader of the old format is the page store (IndexedDbLayer: raw rows, nothing applied); the interop test
 * writes a space with y-indexeddb itself (upgradeSpace.interop.test.ts).
 */
import * as Y from 'yjs';
import { asPersistenceError, ErrorCode, PersistenceError } from '../../../core/errors.ts';
import { buildDocFromRows, MAX_UPDATE_BYTES } from '../../../core/guard/UpdateGuard.ts';
import { SPACE_DOC_ID, type DocId } from '../../../core/persistence/PersistenceLayer.ts';
import { IndexedDbLayer, type SetAsideRow } from '../../pages/IndexedDbLayer.ts';
import { SpaceDbLayer, type ReplacedDoc } from '../SpaceDbLayer.ts';

/** The `meta` key of the upgrade record. */
export const UPGRADE_KEY = 'upgrade';
/**
 * Documents moved per transaction: one commit (with 'strict' durability, one flush to disk) per batch instead of
 * per page, and at most this many documents' states in memory at once.
 */
export const MOVE_BATCH_DOCS = 64;
/** Name of the layers the upgrade opens (what its errors carry as `layer`). */
export const UPGRADE_LAYER = 'storage-upgrade';

export interface UpgradeRecord {
  /** 'moving': documents are being copied, the space store is not in use. 'moved': every copy verified. */
  readonly state: 'moving' | 'moved';
  /** The format moved from. */
  readonly from: 'y-indexeddb-9';
  readonly total: number;
  readonly startedAt: number;
  readonly movedAt?: number;
}

export function parseUpgradeRecord(value: unknown): UpgradeRecord | null {
  const r = value as Partial<UpgradeRecord> | null | undefined;
  if (!r || typeof r !== 'object' || (r.state !== 'moving' && r.state !== 'moved')) return null;
  return { state: r.state, from: 'y-indexeddb-9', total: Number(r.total) || 0, startedAt: Number(r.startedAt) || 0, movedAt: r.movedAt };
}

export interface UpgradeProgress {
  readonly spaceId: string;
  /** Documents moved and verified (while moving), or sources removed (while cleaning up). */
  readonly done: number;
  readonly total: number;
  readonly phase: 'moving' | 'cleaning';
}

export interface UpgradeOutcome {
  readonly spaceId: string;
  /** Documents copied and verified by this run (0 when an earlier run already had). */
  readonly moved: number;
  /** Stored rows the guard refused, carried into the space store's `setAside` (never applied, never dropped). */
  readonly setAside: number;
  /** Source databases deleted by this run. */
  readonly removed: number;
  /** Documents of which a source held something the space store lacked after the move (appended). */
  readonly lateWrites: number;
  /** Moved documents whose old database could not be deleted yet (the next run tries again). */
  readonly kept: readonly DocId[];
}

/** Why an upgrade stopped; the space stays in the old format. */
export const UpgradeFailure = {
  /** A source database could not be opened or read. */
  SourceUnreadable: 'source-unreadable',
  /** A moved document did not read back equal to its source. */
  VerifyFailed: 'verify-failed',
  /** Writing the space store failed (quota, storage gone). */
  WriteFailed: 'write-failed',
} as const;
export type UpgradeFailure = (typeof UpgradeFailure)[keyof typeof UpgradeFailure];

export class StorageUpgradeError extends PersistenceError {
  constructor(
    readonly spaceId: string,
    readonly reason: UpgradeFailure,
    cause: unknown,
    docId?: DocId,
  ) {
    const base = asPersistenceError(cause, reason === UpgradeFailure.VerifyFailed ? ErrorCode.CorruptData : ErrorCode.StorageUnavailable, { layer: UPGRADE_LAYER, docId });
    const what = docId === undefined ? '' : docId === SPACE_DOC_ID ? ' (the space document)' : ` (page ${docId})`;
    const why = { 'source-unreadable': 'a stored page could not be read', 'verify-failed': 'a moved page did not read back equal to the original', 'write-failed': 'the new store could not be written' }[reason];
    super(base.code, `The storage upgrade of this space stopped: ${why}${what}. Its pages stay where they were and keep working. ${base.message}`, {
      cause,
      layer: UPGRADE_LAYER,
      docId,
    });
  }
}

export interface UpgradeSpaceOptions {
  indexedDB?: IDBFactory;
  /** The page databases of this space found in the origin (legacyDatabases.ts). */
  legacyDocs: readonly DocId[];
  onProgress?: (progress: UpgradeProgress) => void;
  /**
   * Called once every document is copied, verified and the move recorded: the space may be opened from the space
   * store from then on, while the old databases are still being removed.
   */
  onMoved?: () => void;
  /** Documents per transaction (default MOVE_BATCH_DOCS; tests stop a run between batches of one). */
  batchDocs?: number;
  /** Clock for the record's times (tests). */
  now?: () => number;
}

/** Moves one space (see the header). Rejects with StorageUpgradeError; the space is then left as it was. */
export async function upgradeSpace(spaceId: string, options: UpgradeSpaceOptions): Promise<UpgradeOutcome> {
  const docs = [...new Set(options.legacyDocs)].sort((a, b) => (a === SPACE_DOC_ID ? -1 : b === SPACE_DOC_ID ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const now = options.now ?? Date.now;
  // 'strict': the record that lets the sources go must be on disk before they go.
  const target = new SpaceDbLayer(spaceId, { indexedDB: options.indexedDB, durability: 'strict', name: UPGRADE_LAYER, compactAboveRows: Number.MAX_SAFE_INTEGER });
  const source = new IndexedDbLayer(spaceId, { indexedDB: options.indexedDB, name: UPGRADE_LAYER, compactAboveRows: Number.MAX_SAFE_INTEGER });
  let moved = 0;
  let setAside = 0;
  try {
    let record = parseUpgradeRecord(await writing(spaceId, () => target.readMeta(UPGRADE_KEY)));
    // No record but documents already in the space store: a space that lives there (created by this version, or
    // moved by a version that did not keep a record). Its stray sources are only ever merged in, never moved over it.
    if (!record && docs.length > 0 && (await writing(spaceId, () => target.listDocs())).length > 0) {
      record = { state: 'moved', from: 'y-indexeddb-9', total: 0, startedAt: now() };
    }
    if (record?.state !== 'moved') {
      const startedAt = record?.startedAt ?? now();
      // Only a run resumed after an interrupted one can find copies already written (and skip them).
      const resumed = record?.state === 'moving';
      await writing(spaceId, () => target.writeMeta(UPGRADE_KEY, { state: 'moving', from: 'y-indexeddb-9', total: docs.length, startedAt } satisfies UpgradeRecord));
      const size = Math.max(1, options.batchDocs ?? MOVE_BATCH_DOCS);
      for (let i = 0; i < docs.length; i += size) {
        const batch = docs.slice(i, i + size);
        const outcome = await moveBatch(spaceId, batch, source, target, resumed);
        moved += outcome.written;
        setAside += outcome.setAside;
        options.onProgress?.({ spaceId, done: i + batch.length, total: docs.length, phase: 'moving' });
      }
      await moveSecrets(spaceId, source, target);
      await writing(spaceId, () => target.writeMeta(UPGRADE_KEY, { state: 'moved', from: 'y-indexeddb-9', total: docs.length, startedAt, movedAt: now() } satisfies UpgradeRecord));
    }
    options.onMoved?.();
    const swept = await sweep(spaceId, docs, source, target, options.onProgress);
    return { spaceId, moved, setAside: setAside + swept.setAside, removed: swept.removed, lateWrites: swept.lateWrites, kept: swept.kept };
  } finally {
    await Promise.allSettled([target.close(), source.close()]);
  }
}

/** A document as read from the page store: the rows the guard accepted, rebuilt, and what it refused. */
interface SourceDoc {
  readonly accepted: Uint8Array[];
  readonly setAside: Omit<SetAsideRow, 'update'>[];
}

async function readSource(spaceId: string, docId: DocId, source: IndexedDbLayer): Promise<SourceDoc> {
  let rows, stale;
  try {
    [rows, stale] = await Promise.all([source.load(docId), source.setAsideRows(docId)]);
  } catch (e) {
    // A database without its stores (created empty by some other reader) holds nothing: there is nothing to move.
    if (lacksStores(e)) return { accepted: [], setAside: [] };
    throw new StorageUpgradeError(spaceId, UpgradeFailure.SourceUnreadable, e, docId);
  }
  const built = buildDocFromRows(
    rows.map((r) => r.update),
    () => new Y.Doc({ gc: false }),
    { docId, source: UPGRADE_LAYER },
  );
  built.doc.destroy();
  const refused = new Set(built.rejected.map((r) => r.index));
  const setAsideAt = Date.now();
  return {
    accepted: rows.filter((_, i) => !refused.has(i)).map((r) => r.update),
    setAside: [
      ...stale.map((r) => ({ key: r.key, value: r.value, setAsideAt: r.setAsideAt })),
      ...rows.filter((_, i) => refused.has(i)).map((r) => ({ key: r.key, value: r.update, setAsideAt })),
    ],
  };
}

/**
 * The canonical form both sides are compared in: a fresh document (no GC: nothing the source kept is dropped)
 * applying every row in one transaction, so adjacent structs merge the same way on both sides.
 */
function rebuild(rows: readonly Uint8Array[]): { state: Uint8Array; vector: Uint8Array } {
  const doc = new Y.Doc({ gc: false });
  try {
    Y.transact(doc, () => rows.forEach((r) => Y.applyUpdate(doc, r)));
    return { state: Y.encodeStateAsUpdate(doc), vector: Y.encodeStateVector(doc) };
  } finally {
    doc.destroy();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

/**
 * Copies a batch of documents in one transaction and verifies each copy. A document whose copy an earlier,
 * interrupted run already wrote and which still equals its source is not written again: a run resumed after a
 * crash reads everything again (it must, to verify) but writes only what is missing.
 */
async function moveBatch(spaceId: string, docIds: readonly DocId[], source: IndexedDbLayer, target: SpaceDbLayer, resumed: boolean): Promise<{ written: number; setAside: number }> {
  const reads = await Promise.all(docIds.map((docId) => readSource(spaceId, docId, source)));
  const expected = reads.map((r) => rebuild(r.accepted));
  const copied = async (docId: DocId, i: number): Promise<boolean> => {
    const [rows, aside] = await Promise.all([target.load(docId), target.setAsideRows(docId)]);
    const actual = rebuild(rows.map((r) => r.update));
    const sameAside = JSON.stringify(aside.map((r) => r.key)) === JSON.stringify(reads[i]!.setAside.map((r) => r.key));
    return sameAside && sameBytes(actual.vector, expected[i]!.vector) && sameBytes(actual.state, expected[i]!.state);
  };
  // A fresh run has nothing copied yet, except that a source holding nothing needs nothing written.
  const done = resumed ? await writing(spaceId, () => Promise.all(docIds.map(copied))) : reads.map((r) => r.accepted.length === 0 && r.setAside.length === 0);
  const replaced: ReplacedDoc[] = [];
  docIds.forEach((docId, i) => {
    if (done[i]) return;
    const { accepted, setAside } = reads[i]!;
    // One row holding the whole state, unless that row would be too big for the guard to accept on the next
    // load: then the accepted rows as they were (each was within the bound). Nothing for a source holding nothing.
    const rows = accepted.length === 0 ? [] : expected[i]!.state.byteLength <= MAX_UPDATE_BYTES ? [expected[i]!.state] : accepted;
    replaced.push({ docId, rows, setAside });
  });
  await writing(spaceId, () => target.replaceDocs(replaced));
  const verified = await writing(spaceId, () => Promise.all(docIds.map(copied)));
  const failed = docIds.find((_, i) => !verified[i]);
  if (failed !== undefined) {
    throw new StorageUpgradeError(spaceId, UpgradeFailure.VerifyFailed, new PersistenceError(ErrorCode.CorruptData, 'state vector or content differs after the move'), failed);
  }
  return { written: replaced.length, setAside: replaced.reduce((n, d) => n + d.setAside.length, 0) };
}

/**
 * Copies the space's secrets (kept in the space document's database by the old format). While moving, the old
 * values win (the space store is not in use yet); after the move only names the space store lacks are added, so a
 * late source never takes back a setting changed since.
 */
async function moveSecrets(spaceId: string, source: IndexedDbLayer, target: SpaceDbLayer, mode: 'all' | 'missing-only' = 'all'): Promise<void> {
  let secrets;
  try {
    secrets = await source.loadSecrets();
  } catch (e) {
    if (!lacksStores(e)) throw new StorageUpgradeError(spaceId, UpgradeFailure.SourceUnreadable, e, SPACE_DOC_ID);
    secrets = {};
  }
  if (mode === 'missing-only') {
    const have = await writing(spaceId, () => target.loadSecrets(), SPACE_DOC_ID);
    secrets = Object.fromEntries(Object.entries(secrets).filter(([name]) => !(name in have)));
  }
  if (Object.keys(secrets).length > 0) await writing(spaceId, () => target.saveSecrets(secrets), SPACE_DOC_ID);
}

/**
 * Removes the sources of a moved space, each after appending whatever it holds that the space store lacks (a late
 * write of a tab of the previous version). The space store may be in use by now: only appends, never replaces.
 */
async function sweep(
  spaceId: string,
  docs: readonly DocId[],
  source: IndexedDbLayer,
  target: SpaceDbLayer,
  onProgress?: (progress: UpgradeProgress) => void,
): Promise<{ removed: number; lateWrites: number; setAside: number; kept: DocId[] }> {
  const kept: DocId[] = [];
  let removed = 0;
  let lateWrites = 0;
  let setAside = 0;
  await moveSecrets(spaceId, source, target, 'missing-only');
  for (const docId of docs) {
    const read = await readSource(spaceId, docId, source);
    const stored = await writing(spaceId, () => target.load(docId), docId);
    const missing = lacking(stored.map((r) => r.update), read.accepted);
    if (missing) {
      await writing(spaceId, () => target.save(docId, missing), docId);
      lateWrites++;
    }
    const known = new Set((await writing(spaceId, () => target.setAsideRows(docId), docId)).map((r) => JSON.stringify(r.key)));
    const fresh = read.setAside.filter((r) => !known.has(JSON.stringify(r.key)));
    if (fresh.length > 0) {
      // Rare: a row refused only now. Kept beside the document's rows, as a load would have set it aside.
      await writing(spaceId, () => target.keepAside(docId, fresh), docId);
      setAside += fresh.length;
    }
    try {
      await source.deleteDoc(docId);
    } catch {
      // Left for the next run (another tab still holds it open, or the delete failed): the copy is complete and
      // the next run appends whatever the source gains meanwhile, so a source that outlives us loses nothing.
      kept.push(docId);
      continue;
    }
    removed++;
    onProgress?.({ spaceId, done: removed, total: docs.length, phase: 'cleaning' });
  }
  return { removed, lateWrites, setAside, kept };
}

/** The part of `source` the space store's rows lack (an update to append), or null when they hold all of it. */
function lacking(stored: readonly Uint8Array[], source: readonly Uint8Array[]): Uint8Array | null {
  if (source.length === 0) return null;
  const doc = new Y.Doc({ gc: false });
  try {
    Y.transact(doc, () => stored.forEach((r) => Y.applyUpdate(doc, r)));
    const before = Y.snapshot(doc);
    const vector = Y.encodeStateVector(doc);
    Y.transact(doc, () => source.forEach((r) => Y.applyUpdate(doc, r)));
    if (Y.equalSnapshots(before, Y.snapshot(doc))) return null;
    return Y.encodeStateAsUpdate(doc, vector);
  } finally {
    doc.destroy();
  }
}

/** The failure of reading a database that exists but lacks y-indexeddb's stores (IndexedDB's NotFoundError). */
function lacksStores(e: unknown): boolean {
  return (e as { cause?: { name?: unknown } } | null)?.cause?.name === 'NotFoundError';
}

/** Runs a space-store operation, turning its failure into the upgrade's typed error. */
async function writing<T>(spaceId: string, op: () => Promise<T>, docId?: DocId): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw new StorageUpgradeError(spaceId, UpgradeFailure.WriteFailed, e, docId);
  }
}
