/**
 * The core's fault scenarios against the real IndexedDB layer, with faults injected BELOW it, into
 * IndexedDB itself: the k-th write request (add, put, delete, clear on an object store, or deleting a
 * database) throws QuotaExceededError. This also fails the layer's own compaction writes.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll } from 'vitest';
import type { FaultMode } from '../../core/persistence/FaultyLayer.ts';
import { compactionScenario, runFaultScenarios, scenarios, type FaultyStore } from '../../core/testing/faultScenarios.ts';
import { IndexedDbLayer } from './IndexedDbLayer.ts';

/** Rows per document before compaction in these runs: small, so the scenarios compact several times. */
const TEST_COMPACT_ABOVE_ROWS = 8;

interface Plan {
  at: number;
  mode: FaultMode;
  count: number;
  injected: number;
  healed: boolean;
  dbs: WeakSet<IDBDatabase>;
  factory: IDBFactory;
}
let active: Plan | null = null;

function quota(): DOMException {
  return new DOMException('Injected: the quota was exceeded', 'QuotaExceededError');
}

/** Counts a write request of a faulty store's database; throws when the plan says so. */
function maybeFail(plan: Plan | null, db: IDBDatabase | null): void {
  if (!plan || plan !== active || (db && !plan.dbs.has(db))) return;
  const n = ++plan.count;
  if (plan.healed) return;
  if (plan.mode === 'once' ? n === plan.at : n >= plan.at) {
    plan.injected++;
    throw quota();
  }
}

const WRITE_METHODS = ['add', 'put', 'delete', 'clear'] as const;
const originals = new Map<string, (...args: unknown[]) => unknown>();

beforeAll(() => {
  const proto = IDBObjectStore.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const m of WRITE_METHODS) {
    const original = proto[m]!;
    originals.set(m, original);
    proto[m] = function (this: IDBObjectStore, ...args: unknown[]) {
      maybeFail(active, this.transaction.db);
      return original.apply(this, args);
    };
  }
});

afterAll(() => {
  const proto = IDBObjectStore.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [m, f] of originals) proto[m] = f;
});

/** A separate in-memory IndexedDB per store, so two stores of one run never share databases. */
function idbStore(label: string): FaultyStore {
  const real = new IDBFactory();
  const layerOf = (factory: IDBFactory) => (spaceId: string) =>
    new IndexedDbLayer(spaceId, { indexedDB: factory, name: label, compactAboveRows: TEST_COMPACT_ABOVE_ROWS });
  return {
    faulty({ at, mode }) {
      const plan: Plan = { at, mode, count: 0, injected: 0, healed: false, dbs: new WeakSet(), factory: real };
      active = plan;
      // Databases opened through this factory are the faulty ones; deleting one is a write too.
      const factory = {
        open: (name: string, version?: number) => {
          const req = version === undefined ? real.open(name) : real.open(name, version);
          req.addEventListener('success', () => plan.dbs.add(req.result));
          return req;
        },
        deleteDatabase: (name: string) => {
          maybeFail(plan, null);
          return real.deleteDatabase(name);
        },
        databases: () => real.databases(),
        cmp: (a: unknown, b: unknown) => real.cmp(a, b),
      };
      return {
        factory: layerOf(factory),
        injected: () => plan.injected,
        heal: () => {
          plan.healed = true;
        },
      };
    },
    // Databases opened through the real factory are not in any plan's set: no faults there.
    clean: () => layerOf(real),
  };
}

runFaultScenarios(
  {
    name: 'IndexedDB layer, faults injected into IndexedDB',
    store: idbStore,
    managerOptions: { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 },
  },
  [...scenarios, compactionScenario],
);
