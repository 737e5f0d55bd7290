/**
 * The contract every PersistenceLayer runs (memory, IndexedDB, relay), in the spirit of automerge-repo's
 * exported adapter tests. Call `runPersistenceLayerContract` from a `*.test.ts` file of the adapter with a
 * factory for fresh layers over fresh storage, and `reopen`, which opens a NEW layer instance over the
 * SAME storage (what a reload does). Local stores and secret stores also run the checks of their own
 * contracts (localStoreContract.ts) with the same harness.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PersistenceError } from '../errors.ts';
import type { PersistenceLayer, StoredRow } from '../persistence/PersistenceLayer.ts';

export interface ContractHarness<L extends PersistenceLayer = PersistenceLayer> {
  /** A fresh layer for `spaceId` over fresh, empty storage shared by later `create`/`reopen` calls of this test. */
  create(spaceId: string): Promise<L>;
  /** A new instance over the storage `create` used (after the old one was closed). */
  reopen(spaceId: string): Promise<L>;
  /** Called after each test. */
  cleanup?(): Promise<void>;
  /** Upper bound on rows a document keeps after many small saves (compaction), when the layer promises one. */
  maxRowsPerDoc?: number;
  /** How many small saves to make when checking `maxRowsPerDoc`. */
  manySaves?: number;
  /**
   * What the layer does not promise, stated explicitly (default: everything is promised). A case whose
   * promise is waived is replaced by one that checks the documented alternative, never skipped silently.
   */
  waive?: {
    /** load returns one merged row instead of the rows as saved (a relay keeps one merged state). */
    rowsAsSaved?: true;
  };
}

/** Opens layers through a harness and closes every one of them after each test. */
export function layerTracker<L extends PersistenceLayer>(h: ContractHarness<L>) {
  const open: L[] = [];
  return {
    make: async (spaceId = 'space-a') => {
      const l = await h.create(spaceId);
      open.push(l);
      return l;
    },
    again: async (spaceId = 'space-a') => {
      const l = await h.reopen(spaceId);
      open.push(l);
      return l;
    },
    closeAll: async () => {
      await Promise.allSettled(open.splice(0).map((l) => l.close()));
      await h.cleanup?.();
    },
  };
}

/** Real Yjs updates: each inserts one character, as typing does. */
export function typingUpdates(text: string, clientID = 1): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const t = doc.getText('t');
  for (let i = 0; i < text.length; i++) t.insert(i, text[i]!);
  return updates;
}

export function textOf(rows: readonly StoredRow[] | readonly Uint8Array[]): string {
  const doc = new Y.Doc();
  for (const r of rows) Y.applyUpdate(doc, r instanceof Uint8Array ? r : r.update);
  return doc.getText('t').toString();
}

/**
 * What every layer promises (local stores and two-way layers alike). Local stores also run
 * runLocalStoreContract (localStoreContract.ts), and secret stores runSecretStoreContract.
 */
export function runPersistenceLayerContract(name: string, h: ContractHarness): void {
  describe(`PersistenceLayer contract: ${name}`, () => {
    const { make, again, closeAll } = layerTracker(h);

    it('loads nothing for an unknown document', async () => {
      const l = await make();
      expect(await l.load('nope')).toEqual([]);
      await closeAll();
    });

    it('returns exactly the bytes it acknowledged, after a reopen', async () => {
      const l = await make();
      const updates = typingUpdates('hello');
      for (const u of updates) await l.save('p1', u);
      expect(textOf(await l.load('p1'))).toBe('hello');
      await l.close();
      const r = await again();
      expect(textOf(await r.load('p1'))).toBe('hello');
      await closeAll();
    });

    it('stores every one of many concurrent saves', async () => {
      const l = await make();
      const text = 'concurrent saves all land';
      await Promise.all(typingUpdates(text).map((u) => l.save('p1', u)));
      await l.close();
      expect(textOf(await (await again()).load('p1'))).toBe(text);
      await closeAll();
    });

    it('keeps documents and spaces apart', async () => {
      const a = await make('space-a');
      const b = await make('space-b');
      await a.save('p1', typingUpdates('one')[0]!);
      await a.save('p2', typingUpdates('two', 2)[0]!);
      await b.save('p1', typingUpdates('x', 3)[0]!);
      expect(textOf(await a.load('p1'))).toBe('o');
      expect(textOf(await a.load('p2'))).toBe('t');
      expect(textOf(await b.load('p1'))).toBe('x');
      expect(await b.load('p2')).toEqual([]);
      await closeAll();
    });

    it('is not changed by the caller reusing its buffer after the acknowledgement', async () => {
      const l = await make();
      const u = typingUpdates('z')[0]!;
      const copy = u.slice();
      await l.save('p1', u);
      u.fill(0);
      const rows = await l.load('p1');
      if (h.waive?.rowsAsSaved) expect(textOf(rows)).toBe(textOf([copy]));
      else expect(rows.map((r) => [...r.update])).toEqual([[...copy]]);
      await closeAll();
    });

    it('round-trips a large update', async () => {
      const l = await make();
      const doc = new Y.Doc();
      doc.getText('t').insert(0, 'x'.repeat(1_000_000));
      await l.save('big', Y.encodeStateAsUpdate(doc));
      await l.close();
      const rows = await (await again()).load('big');
      expect(textOf(rows).length).toBe(1_000_000);
      await closeAll();
    });

    it('rejects with a PersistenceError after close', async () => {
      const l = await make();
      await l.close();
      const e: unknown = await l.save('p1', typingUpdates('a')[0]!).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(PersistenceError);
      await closeAll();
    });

    if (h.maxRowsPerDoc !== undefined) {
      const max = h.maxRowsPerDoc;
      const n = h.manySaves ?? max * 2 + 10;
      it(`keeps at most ${max} rows per document after ${n} saves, with nothing lost`, async () => {
        const l = await make();
        const text = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
        for (const u of typingUpdates(text)) await l.save('p1', u);
        await l.close();
        const rows = await (await again()).load('p1');
        expect(rows.length).toBeLessThanOrEqual(max);
        expect(textOf(rows)).toBe(text);
        await closeAll();
      });
    }
  });
}
