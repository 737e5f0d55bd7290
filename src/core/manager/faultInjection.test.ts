import { FaultyLayer } from '../persistence/FaultyLayer.ts';
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import { runFaultScenarios, type FaultyStore } from '../testing/faultScenarios.ts';

function memoryStore(label: string): FaultyStore {
  const store = new MemoryStore();
  return {
    faulty(plan) {
      const layers: FaultyLayer[] = [];
      // One FaultyLayer per space open, sharing one write counter so "the k-th write" counts across them.
      let shared: FaultyLayer | null = null;
      return {
        factory: (spaceId) => {
          const l = new FaultyLayer(new MemoryLayer(spaceId, store, label), { failWrite: { at: plan.at, mode: plan.mode } });
          if (shared) {
            const first = shared;
            Object.defineProperty(l, 'writes', { get: () => first.writes, set: (v: number) => (first.writes = v) });
          } else shared = l;
          layers.push(l);
          return l;
        },
        injected: () => layers.reduce((a, l) => a + l.failedWrites, 0),
        heal: () => layers.forEach((l) => l.heal()),
      };
    },
    clean: () => (spaceId) => new MemoryLayer(spaceId, store, label),
  };
}

runFaultScenarios({
  name: 'memory layer behind FaultyLayer',
  store: memoryStore,
  managerOptions: { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 },
});
