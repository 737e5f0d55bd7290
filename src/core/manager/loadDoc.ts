/**
 * Opening a document: load from the local (one-way) layers in parallel (each bounded by a timeout), and
 * from the two-way layers only when the local ones hold nothing for it (a wiped device, a page never seen
 * here): opening never waits on the network for a document this device has. Build the document
 * from all rows through the guard (the document under construction is its own shadow; nobody observes it
 * yet, so nothing is written before the load completed), set aside and report rows the guard refused, and
 * work out what each layer lacks so it can be backfilled.
 */
import * as Y from 'yjs';
import { asPersistenceError, ErrorCode, PersistenceError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { buildDocFromRows } from '../guard/UpdateGuard.ts';
import { isLocalStore, type DocId, type PersistenceLayer, type StoredRow } from '../persistence/PersistenceLayer.ts';
import type { SaveStatus } from './SaveStatus.ts';

/** Bounds how long one layer may take to load one document before it counts as failed: 10 s. */
export const LOAD_TIMEOUT_MS = 10_000;

export interface LayerLoad {
  layer: PersistenceLayer;
  /** Null when the load failed or was not asked for (`skipped`). */
  rows: StoredRow[] | null;
  error: PersistenceError | null;
  /** A two-way layer not loaded because the one-way layers held the document: it is only followed. */
  skipped?: boolean;
}

export interface LoadedDoc {
  doc: Y.Doc;
  loads: LayerLoad[];
  /** True when at least one layer holds rows for this document. */
  exists: boolean;
  /** Rows refused by the guard and set aside. */
  setAside: number;
}

export async function loadFromLayers(
  docId: DocId,
  layers: readonly PersistenceLayer[],
  makeDoc: () => Y.Doc,
  ctx: { clock: Clock; status: SaveStatus; statusKey: string; timeoutMs?: number },
): Promise<LoadedDoc> {
  const timeoutMs = ctx.timeoutMs ?? LOAD_TIMEOUT_MS;
  const loadOne = async (layer: PersistenceLayer): Promise<LayerLoad> => {
    let timer: unknown = null;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = ctx.clock.setTimeout(() => {
          reject(new PersistenceError(ErrorCode.Timeout, `${layer.name}: loading ${docId} took longer than ${timeoutMs} ms`, { layer: layer.name, docId }));
        }, timeoutMs);
      });
      const rows = await Promise.race([layer.load(docId), timeout]);
      return { layer, rows, error: null };
    } catch (e) {
      return { layer, rows: null, error: asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: layer.name, docId }) };
    } finally {
      ctx.clock.clearTimeout(timer);
    }
  };
  // Local layers first. The two-way layers (a relay, other tabs) are asked only when no local layer has a
  // row of the document; otherwise they are only followed, and the follow exchange gives each side what
  // it lacks. So opening a page this device holds never waits on the network.
  const local = await Promise.all(layers.filter((l) => l.direction === 'one-way').map(loadOne));
  const haveLocally = local.some((l) => l.rows !== null && l.rows.length > 0);
  const remote = await Promise.all(
    layers.filter((l) => l.direction === 'two-way').map((layer) => (haveLocally ? Promise.resolve<LayerLoad>({ layer, rows: null, error: null, skipped: true }) : loadOne(layer))),
  );
  const byLayer = new Map([...local, ...remote].map((l) => [l.layer, l]));
  const loads = layers.map((l) => byLayer.get(l)!);
  const attempted = loads.filter((l) => !l.skipped);
  const failed = attempted.filter((l) => l.error);
  // Keyed like the document's writes: the first successful write of the backfill ends the streak.
  for (const l of failed) ctx.status.layerFailed(l.layer.name, l.error!, ctx.statusKey, docId);
  if (failed.length === attempted.length && failed[0]) throw failed[0].error!;

  const tagged = loads.flatMap((l) => (l.rows ?? []).map((row) => ({ l, row })));
  const built = buildDocFromRows(tagged.map((t) => t.row.update), makeDoc, { docId, source: 'storage' });
  if (built.rejected.length > 0) {
    const byLayer = new Map<LayerLoad, StoredRow[]>();
    for (const r of built.rejected) {
      const t = tagged[r.index]!;
      byLayer.set(t.l, [...(byLayer.get(t.l) ?? []), t.row]);
    }
    for (const [l, rows] of byLayer) {
      const layer = l.layer;
      // Only a local store keeps rows of ours to set aside; a two-way layer's refused rows are just not used.
      const fate = isLocalStore(layer) ? 'were set aside' : 'were not used';
      const error = new PersistenceError(
        ErrorCode.CorruptData,
        `${layer.name}: ${rows.length} stored row(s) of ${docId} could not be read and ${fate}; the rest of the document opened`,
        { layer: layer.name, docId, cause: built.rejected[0]?.error },
      );
      ctx.status.reportError(error, docId, layer.name);
      // Setting aside is best effort: if it fails the rows stay and are refused again at the next open.
      if (isLocalStore(layer)) {
        await layer.setAside(docId, rows.map((r) => r.key)).catch((e: unknown) => {
          ctx.status.reportError(asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: layer.name, docId }), docId, layer.name);
        });
      }
      l.rows = l.rows!.filter((r) => !rows.includes(r));
    }
  }
  return { doc: built.doc, loads, exists: tagged.length > 0, setAside: built.rejected.length };
}

/**
 * What a one-way layer lacks of `doc`, as an update, or null when it holds everything. Compared by state
 * vector and delete set; a false "lacks" only costs one idempotent row.
 */
export function missingFrom(doc: Y.Doc, rows: readonly StoredRow[]): Uint8Array | null {
  const docSv = Y.encodeStateVector(doc);
  if (rows.length === 0) return hasContent(doc) ? Y.encodeStateAsUpdate(doc) : null;
  const merged = Y.mergeUpdates(rows.map((r) => r.update));
  const layerSv = Y.encodeStateVectorFromUpdate(merged);
  const diff = Y.encodeStateAsUpdate(doc, layerSv);
  if (!sameBytes(docSv, layerSv)) return diff;
  const layerDs = Y.diffUpdate(merged, layerSv);
  return sameBytes(layerDs, diff) ? null : diff;
}

function hasContent(doc: Y.Doc): boolean {
  return doc.store.clients.size > 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
