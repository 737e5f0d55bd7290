/**
 * The update guard: every update that enters from outside the process (another tab, the relay, an
 * imported file, a stored row) passes here before it touches a live document.
 *
 * Why a shadow: `Y.applyUpdate` is not safe on untrusted bytes: some corrupted updates throw AFTER part of
 * the update was integrated and after the doc's `update` event fired, so a listening store or provider
 * would persist or rebroadcast half an update (the design brief measured 4.7% of its corpus; our fuzz
 * corpus in malformedUpdates.test.ts has about 18%). How much a `Y.decodeUpdate` pre-check catches depends
 * on the corpus (the brief: a minority; ours: nearly all), so it is not relied on: an update is applied to
 * a shadow copy of the document first, and only if that succeeds to the live document, which then ends in
 * the same state deterministically.
 *
 * Checks, in order: non-empty and at most MAX_UPDATE_BYTES; decodes; applies to the shadow without
 * throwing. A shadow that threw is discarded (it may hold half an update) and rebuilt from the live doc on
 * the next use. Known limit: an update whose structs wait for a missing dependency is accepted as pending
 * (out-of-order delivery is legitimate); if it later fails to integrate, the update that completes it is
 * the one refused, and the live document is still never touched by the failure.
 */
import * as Y from 'yjs';
import { UpdateRejectedError } from '../errors.ts';

/** Bounds one update accepted from outside the process (network, tab, file, stored row): 64 MiB. A page
 * of 100,000 characters encodes to well under 1 MiB; a compacted stored row of a huge page is the biggest
 * legitimate case. */
export const MAX_UPDATE_BYTES = 64 * 1024 * 1024;

export interface GuardContext {
  /** Where the bytes came from ("relay", "tab", "indexeddb", "import"): carried on the error. */
  source?: string;
  docId?: string;
}

/** Size and decode checks, without applying. Throws UpdateRejectedError. */
export function checkUpdateShape(update: Uint8Array, ctx: GuardContext = {}): void {
  if (!(update instanceof Uint8Array)) throw reject('update is not a byte array', ctx, 0);
  if (update.byteLength === 0) throw reject('update is empty', ctx, 0);
  if (update.byteLength > MAX_UPDATE_BYTES) {
    throw reject(`update of ${update.byteLength} bytes exceeds the limit of ${MAX_UPDATE_BYTES}`, ctx, update.byteLength);
  }
  try {
    Y.decodeUpdate(update);
  } catch (cause) {
    throw reject('update does not decode', ctx, update.byteLength, cause);
  }
}

function reject(why: string, ctx: GuardContext, size: number, cause?: unknown): UpdateRejectedError {
  const where = [ctx.source && `from ${ctx.source}`, ctx.docId && `for ${ctx.docId}`].filter(Boolean).join(' ');
  return new UpdateRejectedError(`Rejected update${where ? ' ' + where : ''}: ${why}`, { cause, source: ctx.source, docId: ctx.docId, size });
}

/** Origin the guard uses when it applies to the live doc on behalf of a source, so listeners can tell. */
export interface GuardedOrigin {
  readonly guarded: true;
  readonly source: unknown;
}

export class UpdateGuard {
  private shadow: Y.Doc | null = null;
  private applying = false;
  private readonly mirror = (update: Uint8Array) => {
    // Keep the shadow equal to the live doc: every change to the live doc (local edits, guarded applies)
    // is mirrored, except the guarded apply in progress, which the shadow already holds.
    if (this.shadow && !this.applying) Y.applyUpdate(this.shadow, update);
  };

  constructor(readonly live: Y.Doc) {
    live.on('update', this.mirror);
  }

  private shadowDoc(): Y.Doc {
    if (!this.shadow) {
      this.shadow = new Y.Doc({ gc: this.live.gc, guid: this.live.guid });
      Y.applyUpdate(this.shadow, Y.encodeStateAsUpdate(this.live));
    }
    return this.shadow;
  }

  /**
   * Applies untrusted bytes to the live doc if, and only if, they pass every check. `origin` is the
   * transaction origin on the live doc (a layer, so the manager does not echo the update back to it).
   * Throws UpdateRejectedError and leaves the live document untouched otherwise.
   */
  apply(update: Uint8Array, origin: unknown, ctx: GuardContext = {}): void {
    this.check(update, ctx);
    this.applying = true;
    try {
      Y.applyUpdate(this.live, update, origin);
    } finally {
      this.applying = false;
    }
  }

  /**
   * Every check of `apply`, the shadow apply included, without applying to the live doc: for a caller that
   * applies the same bytes to the live doc itself right after (the relay, where Hocuspocus applies them).
   * The shadow then holds the update ahead of the live doc, and the live apply that follows is mirrored
   * into it as a no-op. Throws UpdateRejectedError; the live document is never touched.
   */
  check(update: Uint8Array, ctx: GuardContext = {}): void {
    checkUpdateShape(update, ctx);
    const shadow = this.shadowDoc();
    try {
      Y.applyUpdate(shadow, update);
    } catch (cause) {
      this.shadow?.destroy();
      this.shadow = null;
      throw reject('update failed to apply', ctx, update.byteLength, cause);
    }
  }

  destroy(): void {
    this.live.off('update', this.mirror);
    this.shadow?.destroy();
    this.shadow = null;
  }
}

export interface BuiltDoc {
  doc: Y.Doc;
  /** Indices (into the given rows) of the updates refused, with why. */
  rejected: { index: number; error: UpdateRejectedError }[];
}

/**
 * Builds a document from stored rows that nobody observes yet (a page being opened). Rows get the size
 * check and the apply check but not the decode pre-check (it would parse every row twice on every open;
 * the apply is the check that matters). The document under construction is its own shadow: rows are applied in one transaction (the fast path); if anything throws,
 * that document is thrown away and the rows are applied one at a time to a fresh one, rebuilding from the
 * good rows whenever a row throws. Bad rows are reported, never silently skipped.
 */
export function buildDocFromRows(rows: readonly Uint8Array[], makeDoc: () => Y.Doc, ctx: GuardContext = {}): BuiltDoc {
  const shaped: { index: number; update: Uint8Array }[] = [];
  const rejected: BuiltDoc['rejected'] = [];
  rows.forEach((update, index) => {
    if (!(update instanceof Uint8Array) || update.byteLength === 0 || update.byteLength > MAX_UPDATE_BYTES) {
      try {
        checkUpdateShape(update, ctx);
      } catch (e) {
        rejected.push({ index, error: e as UpdateRejectedError });
      }
    } else shaped.push({ index, update });
  });

  const fast = makeDoc();
  try {
    Y.transact(fast, () => shaped.forEach((r) => Y.applyUpdate(fast, r.update)));
    return { doc: fast, rejected };
  } catch {
    fast.destroy();
  }

  let doc = makeDoc();
  const good: Uint8Array[] = [];
  for (const r of shaped) {
    try {
      Y.applyUpdate(doc, r.update);
      good.push(r.update);
    } catch (cause) {
      rejected.push({ index: r.index, error: reject('stored row failed to apply', ctx, r.update.byteLength, cause) });
      doc.destroy();
      doc = makeDoc();
      Y.transact(doc, () => good.forEach((u) => Y.applyUpdate(doc, u)));
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  return { doc, rejected };
}
