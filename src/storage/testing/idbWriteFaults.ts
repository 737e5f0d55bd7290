/**
 * Fault injection BELOW a store, into IndexedDB itself (fake-indexeddb): the k-th write request (add, put,
 * delete, clear on an object store, or deleting a database) of a faulty store throws QuotaExceededError.
 * That also fails a layer's own compaction writes. Used by the fault-scenario tests of every IndexedDB store.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll } from 'vitest';
import type { FaultMode } from '../../core/persistence/FaultyLayer.ts';
import type { SpaceLayer } from '../../core/persistence/PersistenceLayer.ts';
import type { FaultyStore } from '../../core/testing/faultScenarios.ts';

interface Plan {
  at: number;
  mode: FaultMode;
  count: number;
  injected: number;
  healed: boolean;
  dbs: WeakSet<IDBDatabase>;
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

/** Patches IDBObjectStore's write methods for the test file that calls it (restored after its tests). */
export function installWriteFaults(): void {
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
}

/**
 * A store over its own in-memory IndexedDB (so two stores of one run never share databases), whose layers
 * `makeLayer` creates over the factory it is given.
 */
export function idbFaultyStore(makeLayer: (factory: IDBFactory, spaceId: string) => SpaceLayer): FaultyStore {
  const real = new IDBFactory();
  const layerOf = (factory: IDBFactory) => (spaceId: string) => makeLayer(factory, spaceId);
  return {
    faulty({ at, mode }) {
      const plan: Plan = { at, mode, count: 0, injected: 0, healed: false, dbs: new WeakSet() };
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
