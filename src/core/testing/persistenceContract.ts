/**
 * The contract every PersistenceLayer runs (memory, y-indexeddb, relay, other tabs), in the spirit of
 * automerge-repo's exported adapter tests. Call `runPersistenceLayerContract` from a `*.test.ts` file of
 * the adapter with a factory for fresh layers over fresh storage, and `reopen`, which opens a NEW layer
 * instance over the SAME storage (what a reload does).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PersistenceError } from '../errors.ts';
import type { PersistenceLayer, StoredRow } from '../persistence/PersistenceLayer.ts';

export interface ContractHarness {
  /** A fresh layer for `spaceId` over fresh, empty storage shared by later `create`/`reopen` calls of this test. */
  create(spaceId: string): Promise<PersistenceLayer>;
  /** A new instance over the storage `create` used (after the old one was closed). */
  reopen(spaceId: string): Promise<PersistenceLayer>;
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
    /** setAside resolves and moves nothing (nothing of ours to quarantine). */
    setAside?: true;
    /** Secrets are never stored: saveSecrets resolves, loadSecrets gives {}. */
    secrets?: true;
    /** deleteDoc and destroy resolve and leave the bytes (the relay removes them in its own GC). */
    deletion?: true;
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

export function runPersistenceLayerContract(name: string, h: ContractHarness): void {
  describe(`PersistenceLayer contract: ${name}`, () => {
    const open: PersistenceLayer[] = [];
    const make = async (spaceId = 'space-a') => {
      const l = await h.create(spaceId);
      open.push(l);
      return l;
    };
    const again = async (spaceId = 'space-a') => {
      const l = await h.reopen(spaceId);
      open.push(l);
      return l;
    };
    const closeAll = async () => {
      await Promise.allSettled(open.splice(0).map((l) => l.close()));
      await h.cleanup?.();
    };

    it('loads nothing for an unknown document', async () => {
      const l = await make();
      expect(await l.load('nope')).toEqual([]);
      expect(await l.listDocs()).toEqual([]);
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
      expect(await r.listDocs()).toEqual(['p1']);
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
      expect((await a.listDocs()).sort()).toEqual(['p1', 'p2']);
      expect(await b.listDocs()).toEqual(['p1']);
      expect(textOf(await a.load('p1'))).toBe('o');
      expect(textOf(await b.load('p1'))).toBe('x');
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

    if (h.waive?.deletion) {
      it('deleteDoc resolves and keeps the other documents (deletion waived: the bytes stay until the far side collects them)', async () => {
        const l = await make();
        await l.save('p1', typingUpdates('a')[0]!);
        await l.save('p2', typingUpdates('b', 2)[0]!);
        await l.deleteDoc('p1');
        expect(textOf(await l.load('p2'))).toBe('b');
        await closeAll();
      });
    } else {
      it('deletes one document and nothing else', async () => {
        const l = await make();
        await l.save('p1', typingUpdates('a')[0]!);
        await l.save('p2', typingUpdates('b', 2)[0]!);
        await l.deleteDoc('p1');
        expect(await l.load('p1')).toEqual([]);
        expect(await l.listDocs()).toEqual(['p2']);
        await l.close();
        const r = await again();
        expect(await r.load('p1')).toEqual([]);
        expect(textOf(await r.load('p2'))).toBe('b');
        await closeAll();
      });
    }

    if (h.waive?.setAside || h.waive?.rowsAsSaved) {
      it('setAside resolves and loses nothing (set-aside waived: no rows of ours to quarantine)', async () => {
        const l = await make();
        for (const u of typingUpdates('abc')) await l.save('p1', u);
        const rows = await l.load('p1');
        await l.setAside('p1', rows.map((r) => r.key));
        await l.close();
        expect(textOf(await (await again()).load('p1'))).toBe('abc');
        await closeAll();
      });
    } else {
      it('sets rows aside so they no longer load, and keeps the others', async () => {
        const l = await make();
        const [u1, u2, u3] = typingUpdates('abc');
        await l.save('p1', u1!);
        await l.save('p1', u2!);
        await l.save('p1', u3!);
        const rows = await l.load('p1');
        expect(rows).toHaveLength(3);
        const bad = rows[2]!;
        await l.setAside('p1', [bad.key]);
        const after = await l.load('p1');
        expect(after.map((r) => r.key)).not.toContain(bad.key);
        expect(after).toHaveLength(2);
        await l.close();
        expect(await (await again()).load('p1')).toHaveLength(2);
        await closeAll();
      });
    }

    if (h.waive?.secrets) {
      it('stores no secrets (secrets waived): saveSecrets resolves and loadSecrets gives {}', async () => {
        const l = await make();
        await l.saveSecrets({ a: '1' });
        expect(await l.loadSecrets()).toEqual({});
        await l.close();
        expect(await (await again()).loadSecrets()).toEqual({});
        await closeAll();
      });
    } else {
      it('merges secrets and keeps them across a reopen', async () => {
        const l = await make();
        expect(await l.loadSecrets()).toEqual({});
        await l.saveSecrets({ a: '1' });
        await l.saveSecrets({ b: '2' });
        await l.saveSecrets({ a: '3' });
        await l.close();
        expect(await (await again()).loadSecrets()).toEqual({ a: '3', b: '2' });
        await closeAll();
      });
    }

    if (h.waive?.deletion) {
      it('destroy closes the layer and touches no other space (deletion waived)', async () => {
        const a = await make('space-a');
        const b = await make('space-b');
        await a.save('p1', typingUpdates('a')[0]!);
        await b.save('p1', typingUpdates('b')[0]!);
        await a.destroy();
        const e: unknown = await a.save('p1', typingUpdates('c')[0]!).then(() => undefined, (err: unknown) => err);
        expect(e).toBeInstanceOf(PersistenceError);
        expect(textOf(await b.load('p1'))).toBe('b');
        await closeAll();
      });
    } else {
      it('destroys everything it holds for its space and only that space', async () => {
        const a = await make('space-a');
        const b = await make('space-b');
        await a.save('p1', typingUpdates('a')[0]!);
        await a.saveSecrets({ k: 'v' });
        await b.save('p1', typingUpdates('b')[0]!);
        await a.destroy();
        const r = await again('space-a');
        expect(await r.listDocs()).toEqual([]);
        expect(await r.load('p1')).toEqual([]);
        expect(await r.loadSecrets()).toEqual({});
        expect(textOf(await b.load('p1'))).toBe('b');
        await closeAll();
      });
    }

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
