/**
 * Corrupt stored rows in a page's store (garbage, truncated, bit-flipped, not bytes at all): the page still loads
 * within 2 seconds with every readable row, and the bad rows are set aside and reported. Seeded; the seed is in
 * every failure message. Run by every IndexedDB store through a kit that writes rows behind its back.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode } from '../../core/errors.ts';
import { SpaceManager } from '../../core/manager/SpaceManager.ts';
import type { LocalStore } from '../../core/persistence/PersistenceLayer.ts';
import { mulberry32 } from '../../core/testing/prng.ts';
import type { SetAsideRow } from '../pages/IndexedDbLayer.ts';
import { freshSpaceId } from '../pages/testing/testkit.ts';

/** A store under test and raw access to its rows, as a corrupted disk (or a buggy writer) would leave them. */
export interface CorruptRowsKit {
  readonly name: string;
  layer(spaceId: string): LocalStore & { setAsideRows(docId: string): Promise<SetAsideRow[]> };
  /** The values of a document's rows in the load path, in key order. */
  rawRows(spaceId: string, docId: string): Promise<unknown[]>;
  /** Adds a value to a document's rows behind the layer's back, after every row there. */
  rawAdd(spaceId: string, docId: string, value: unknown): Promise<void>;
}

/** The bound the issue sets on opening a page whose store holds corrupt rows. */
const LOAD_BOUND_MS = 2_000;
const SEEDS = process.env.EXTENSIVE === '1' ? 200 : 25;

type Corruption = 'garbage' | 'truncated' | 'bit-flipped' | 'not-bytes' | 'empty';
const KINDS: Corruption[] = ['garbage', 'truncated', 'bit-flipped', 'not-bytes', 'empty'];

function corruptCopy(kind: Corruption, good: Uint8Array, rng: ReturnType<typeof mulberry32>): unknown {
  switch (kind) {
    case 'garbage':
      return Uint8Array.from({ length: 4 + rng.int(40) }, () => rng.int(256));
    case 'truncated':
      return good.slice(0, Math.max(1, rng.int(good.length - 1)));
    case 'bit-flipped': {
      const b = good.slice();
      // Flip a bit in the header (struct count, client, clock), where Yjs must notice.
      const i = rng.int(Math.min(4, b.length));
      b[i]! ^= 0x80 >> rng.int(2);
      return b;
    }
    case 'not-bytes':
      return rng.chance(0.5) ? { some: 'object' } : 'a string row';
    case 'empty':
      return new Uint8Array();
  }
}

function isSubsequence(needle: string, haystack: string): boolean {
  let i = 0;
  for (const ch of haystack) if (ch === needle[i]) i++;
  return i === needle.length;
}

async function setup(kit: CorruptRowsKit, text: string) {
  const spaceId = freshSpaceId('corrupt');
  const m = new SpaceManager({ layers: [(id) => kit.layer(id)], coalesceMs: 1 });
  const h = await m.createSpace({ id: spaceId, name: 'Corrupt rows' });
  h.space.createPage({ id: 'page', title: 'Page' });
  await m.close();
  // The page's rows come from a document with a fixed client id, one row per keystroke as typing with
  // flushes would store them, so every seed corrupts the same bytes on every run.
  const doc = new Y.Doc();
  doc.clientID = 42;
  const layer = kit.layer(spaceId);
  const rows: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => rows.push(u));
  const body = doc.getText('body');
  for (const ch of text) body.insert(body.length, ch);
  for (const u of rows) await layer.save('page', u);
  await layer.close();
  return spaceId;
}

async function reopen(kit: CorruptRowsKit, spaceId: string) {
  const m = new SpaceManager({ layers: [(id) => kit.layer(id)] });
  const started = performance.now();
  const h = await m.openSpace(spaceId);
  const page = await h.openPage('page');
  return { m, h, page, ms: performance.now() - started };
}

/** Runs the corrupt-row checks against one store, through `kit`. */
export function runCorruptRowsSuite(kit: CorruptRowsKit): void {
  describe(`corrupt stored rows in ${kit.name}`, () => {
    it('opens with every readable row; each kind of bad row is set aside and reported once', async () => {
      const text = 'every readable row';
      const spaceId = await setup(kit, text);
      const good = (await kit.rawRows(spaceId, 'page')) as Uint8Array[];
      const rng = mulberry32(7);
      for (const kind of KINDS) await kit.rawAdd(spaceId, 'page', corruptCopy(kind, good[rng.int(good.length)]!, rng));

      const { m, page, ms } = await reopen(kit, spaceId);
      expect(ms).toBeLessThan(LOAD_BOUND_MS);
      expect(page.doc.getText('body').toString()).toBe(text);
      const reported = m.status.errors.filter((e) => e.code === ErrorCode.CorruptData);
      expect(reported).toHaveLength(1);
      expect(reported[0]!.message).toContain(`${KINDS.length} stored row(s)`);
      const layer = kit.layer(spaceId);
      expect(await layer.setAsideRows('page')).toHaveLength(KINDS.length);
      await layer.close();
      expect(await kit.rawRows(spaceId, 'page')).toHaveLength(good.length);
      await m.close();

      // Set aside means out of the way: the next open is clean and reports nothing.
      const second = await reopen(kit, spaceId);
      expect(second.page.doc.getText('body').toString()).toBe(text);
      expect(second.m.status.errors).toEqual([]);
      await second.m.close();
    });

    it(`keeps every readable row under ${SEEDS} seeded mixes of corrupt rows`, async () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const rng = mulberry32(seed);
        const text = 'seeded text '.slice(0, 4 + rng.int(8));
        const spaceId = await setup(kit, text);
        const good = (await kit.rawRows(spaceId, 'page')) as Uint8Array[];
        const bad = 1 + rng.int(6);
        for (let i = 0; i < bad; i++) await kit.rawAdd(spaceId, 'page', corruptCopy(rng.pick(KINDS), good[rng.int(good.length)]!, rng));

        const { m, page, ms } = await reopen(kit, spaceId);
        const where = `seed ${seed}`;
        expect(ms, where).toBeLessThan(LOAD_BOUND_MS);
        // Every readable row is there: the text typed, in order. A corrupted copy that still decodes and
        // applies is valid Yjs (a flipped clock bit can make a new insertion): no guard can tell it from a
        // real edit without a per-row checksum, which y-indexeddb's format does not have. So the original is
        // a subsequence of what loads, and anything extra came from such a row.
        const loaded = page.doc.getText('body').toString();
        expect(isSubsequence(text, loaded), `${where}: ${JSON.stringify(loaded)} lost part of ${JSON.stringify(text)}`).toBe(true);
        const inspector = kit.layer(spaceId);
        const setAside = (await inspector.setAsideRows('page')).length;
        await inspector.close();
        const rowsLeft = (await kit.rawRows(spaceId, 'page')).length;
        expect(setAside + rowsLeft, where).toBe(good.length + bad);
        const reported = m.status.errors.filter((e) => e.code === ErrorCode.CorruptData).length;
        expect(reported, where).toBe(setAside > 0 ? 1 : 0);
        const doc = new Y.Doc();
        for (const v of await kit.rawRows(spaceId, 'page')) Y.applyUpdate(doc, v as Uint8Array);
        expect(doc.getText('body').toString(), `${where}: what stays in the load path is readable`).toBe(loaded);
        await m.close();
      }
    });
  });
}
