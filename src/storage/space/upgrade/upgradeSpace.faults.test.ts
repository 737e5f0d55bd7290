/**
 * Fault scenario "migrate a space": the k-th write request of the upgrade (into the space store, or deleting an
 * old database) fails with QuotaExceededError, once and forever, for k = 1, 2, ... until a run completes without
 * a fault (../../testing/idbWriteFaults.ts injects below the stores, into IndexedDB itself). After each faulty run
 * every document must be whole somewhere (its old database, or the space store once the move was recorded), the
 * failure must be typed, and a clean run afterwards must end with every document moved exactly once.
 */
import { describe, expect, it } from 'vitest';
import { SPACE_DOC_ID } from '../../../core/persistence/PersistenceLayer.ts';
import type { FaultMode } from '../../../core/persistence/FaultyLayer.ts';
import { IndexedDbLayer } from '../../pages/IndexedDbLayer.ts';
import { docOf, typing } from '../../pages/testing/testkit.ts';
import { idbFaultyStore, installWriteFaults } from '../../testing/idbWriteFaults.ts';
import { SpaceDbLayer } from '../SpaceDbLayer.ts';
import { legacyDatabases } from './legacyDatabases.ts';
import { parseUpgradeRecord, StorageUpgradeError, UPGRADE_KEY, upgradeSpace } from './upgradeSpace.ts';

installWriteFaults();

const SPACE = 'migrating-space';
const DOCS = [SPACE_DOC_ID, 'page-a', 'page-b', 'page-c'];
/** Upper bound on k: a run that still faults at this many write requests is a bug in the test. */
const MAX_WRITES = 60;

/** The faulty and the clean IndexedDB of one fresh store (idbFaultyStore hands them to the layer it makes). */
function freshIndexedDb(): { faulty(at: number, mode: FaultMode): { factory: IDBFactory; injected(): number; heal(): void }; clean: IDBFactory } {
  let captured: IDBFactory | null = null;
  const store = idbFaultyStore((factory, spaceId) => {
    captured = factory;
    return new SpaceDbLayer(spaceId, { indexedDB: factory });
  });
  const capture = (make: (id: string) => unknown): IDBFactory => {
    void (make('capture') as SpaceDbLayer).close();
    return captured!;
  };
  const clean = capture(store.clean());
  return {
    clean,
    faulty(at, mode) {
      const plan = store.faulty({ at, mode });
      return { factory: capture(plan.factory), injected: plan.injected, heal: plan.heal };
    },
  };
}

async function textsIn(load: (docId: string) => Promise<{ update: Uint8Array }[]>): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const docId of DOCS) texts.set(docId, docOf(await load(docId)).getText('t').toString());
  return texts;
}

async function runOnce(at: number, mode: FaultMode): Promise<{ faulted: boolean }> {
  const idb = freshIndexedDb();
  const old = new IndexedDbLayer(SPACE, { indexedDB: idb.clean });
  for (const docId of DOCS) for (const u of typing(`${docId} text`)) await old.save(docId, u);
  await old.close();
  const expected = new Map(DOCS.map((d) => [d, `${d} text`]));

  const plan = idb.faulty(at, mode);
  const legacyDocs = (await legacyDatabases(idb.clean)).get(SPACE)!;
  const result = await upgradeSpace(SPACE, { indexedDB: plan.factory, legacyDocs }).then(
    () => null,
    (e: unknown) => e,
  );
  const faulted = plan.injected() > 0;
  plan.heal();
  if (result !== null) expect(result, `k=${at} ${mode}`).toBeInstanceOf(StorageUpgradeError);
  if (!faulted) expect(result).toBeNull();

  // Whole somewhere: read from the old databases that remain, else from the space store (only once 'moved').
  const target = new SpaceDbLayer(SPACE, { indexedDB: idb.clean });
  const source = new IndexedDbLayer(SPACE, { indexedDB: idb.clean });
  const record = parseUpgradeRecord(await target.readMeta(UPGRADE_KEY));
  const remaining = new Set((await legacyDatabases(idb.clean)).get(SPACE) ?? []);
  if (record?.state !== 'moved') expect([...remaining].sort(), `k=${at} ${mode}: sources removed before the move was recorded`).toEqual([...DOCS].sort());
  for (const docId of DOCS) {
    const text = docOf(remaining.has(docId) ? await source.load(docId) : await target.load(docId)).getText('t').toString();
    expect(text, `k=${at} ${mode}: ${docId}`).toBe(expected.get(docId));
  }
  await Promise.all([target.close(), source.close()]);

  // The next open resumes with healthy storage and ends with one copy of everything.
  await upgradeSpace(SPACE, { indexedDB: idb.clean, legacyDocs: (await legacyDatabases(idb.clean)).get(SPACE) ?? [] });
  expect((await legacyDatabases(idb.clean)).get(SPACE)).toBeUndefined();
  const after = new SpaceDbLayer(SPACE, { indexedDB: idb.clean });
  expect(await textsIn((d) => after.load(d))).toEqual(expected);
  for (const docId of DOCS) expect((await after.load(docId)).length, `k=${at} ${mode}: ${docId} rows`).toBeLessThanOrEqual(2);
  await after.close();
  return { faulted };
}

describe('fault scenario: migrate a space', () => {
  for (const mode of ['once', 'forever'] as const) {
    it(`the k-th write fails (${mode}): nothing lost, nothing half-moved, the next run completes`, async () => {
      let k = 1;
      for (; k <= MAX_WRITES; k++) {
        const { faulted } = await runOnce(k, mode);
        if (!faulted) break;
      }
      expect(k, 'the scenario still faulted at MAX_WRITES').toBeLessThanOrEqual(MAX_WRITES);
      expect(k).toBeGreaterThan(DOCS.length * 2); // every document's write and every removal was failed once
    }, 120_000);
  }
});
