/**
 * A browser tab simulated in one Node process, for tests: a SpaceManager whose space layers are a
 * MemoryLayer over a MemoryStore shared by every simulated tab (the origin's one IndexedDB) and a
 * TabChannelLayer over the real (Node) BroadcastChannel, with a TabPresence on a lock manager shared by
 * every simulated tab (the origin's navigator.locks).
 */
import * as Y from 'yjs';
import { FaultyLayer } from '../../../core/persistence/FaultyLayer.ts';
import { MemoryLayer, type MemoryStore } from '../../../core/persistence/MemoryLayer.ts';
import { SpaceManager } from '../../../core/manager/SpaceManager.ts';
import type { PersistenceError } from '../../../core/errors.ts';
import { TabChannelLayer, type TabChannelFactory } from '../TabChannelLayer.ts';
import type { TabLocks } from '../TabLocks.ts';
import { TabPresence } from '../TabPresence.ts';

export interface SimulatedTabOptions {
  coalesceMs?: number;
  orphanGraceMs?: number;
  /** Opens the tab channel of a space (default: the real BroadcastChannel). */
  openChannel?: TabChannelFactory;
}

export class SimulatedTab {
  /** The store layers this tab created (one per space opened), counting their writes. */
  readonly stores: FaultyLayer[] = [];
  readonly tabLayers: TabChannelLayer[] = [];
  /** Errors the tab layers reported outside any call. */
  readonly layerErrors: PersistenceError[] = [];

  private constructor(
    readonly presence: TabPresence,
    readonly manager: SpaceManager,
  ) {}

  static async open(locks: TabLocks, store: MemoryStore, options: SimulatedTabOptions = {}): Promise<SimulatedTab> {
    const presence = await TabPresence.claim(locks);
    let tab: SimulatedTab | null = null;
    const manager = new SpaceManager({
      coalesceMs: options.coalesceMs,
      retryInitialMs: 5,
      retryMaxMs: 20,
      layers: [
        (spaceId) => {
          const l = new FaultyLayer(new MemoryLayer(spaceId, store, 'memory'), {});
          tab?.stores.push(l);
          return l;
        },
        (spaceId) => {
          const l = new TabChannelLayer(spaceId, { presence, orphanGraceMs: options.orphanGraceMs, openChannel: options.openChannel });
          l.onError((e) => tab?.layerErrors.push(e));
          tab?.tabLayers.push(l);
          return l;
        },
      ],
    });
    tab = new SimulatedTab(presence, manager);
    return tab;
  }

  get id(): string {
    return this.presence.id;
  }

  /** Writes to the shared store made by this tab. */
  get writes(): number {
    return this.stores.reduce((a, l) => a + l.writes, 0);
  }

  /** Updates this tab holds for peers. */
  get held(): number {
    return this.tabLayers.reduce((a, l) => a + l.held.count(), 0);
  }

  /** A clean close: flush every space (peers hear that all is stored), then let go of the tab's lock. */
  async close(): Promise<void> {
    await this.manager.close();
    this.presence.release();
  }

  /** A crash: nothing is flushed, timers die, channels close, and the browser releases the tab's lock. */
  async crash(): Promise<void> {
    const handles = await Promise.all(this.manager.openSpaceIds().map((id) => this.manager.openSpace(id)));
    await Promise.all(handles.map((h) => h.abandon()));
    this.presence.release();
  }
}

/**
 * How many Yjs structs (per client clock) the given stored rows hold more than once: 0 means every update
 * was written once. Delete sets are not counted (they carry no content).
 */
export function duplicateStructs(rows: readonly Uint8Array[]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const row of rows) {
    for (const s of Y.decodeUpdate(row).structs) {
      if (!(s instanceof Y.Item) && !(s instanceof Y.GC)) continue; // Skip: a gap, not content
      for (let c = s.id.clock; c < s.id.clock + s.length; c++) {
        const key = `${s.id.client}:${c}`;
        if (seen.has(key)) duplicates++;
        else seen.add(key);
      }
    }
  }
  return duplicates;
}
