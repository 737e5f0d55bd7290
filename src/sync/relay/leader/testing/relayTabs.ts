/**
 * Browser tabs of one profile syncing one space through the REAL relay, simulated in one Node process for
 * the leadership test and bench/tabs.ts: each tab is a SimulatedTab (shared memory store = the origin's
 * IndexedDB, real BroadcastChannel, one lock manager = the origin's navigator.locks) plus either a
 * RelayLeadership ('leader': one socket per browser) or its own RelayLayer ('every-tab': today's design).
 * Sockets are the real `ws` client; SocketMeter counts them and the bytes they carry, as the relay sees them.
 */
import WebSocket from 'ws';
import type { SpaceHandle } from '../../../../core/manager/SpaceHandle.ts';
import { MemoryLayer, MemoryStore } from '../../../../core/persistence/MemoryLayer.ts';
import type { TabLocks } from '../../../tabs/TabLocks.ts';
import { SimulatedTab } from '../../../tabs/testing/SimulatedTab.ts';
import { RelayConnectionPool, type WebSocketConstructor, type WebSocketLike } from '../../RelayConnection.ts';
import { RelayLayer } from '../../RelayLayer.ts';
import { RelayLeadership, type RelayAttachment } from '../RelayLeadership.ts';

export type RelayMode = 'leader' | 'every-tab';

/** Counts the sockets opened and the bytes that cross them in both directions. */
export class SocketMeter {
  opened = 0;
  open = 0;
  bytes = 0;
  /** Of `bytes`, the ones sent to the relay. */
  sent = 0;

  /** A WebSocket constructor (over `ws`) that reports to this meter. */
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the constructor below needs the meter
    const meter = this;
    this.WebSocket = class extends (WebSocket as unknown as new (url: string) => WebSocketLike & { addEventListener(t: string, l: (e: { data: unknown }) => void): void }) {
      constructor(url: string) {
        super(url);
        meter.opened++;
        meter.open++;
        this.addEventListener('close', () => meter.open--);
        this.addEventListener('message', (e) => (meter.bytes += byteLength(e.data)));
      }
      override send(data: Uint8Array): void {
        meter.bytes += data.byteLength;
        meter.sent += data.byteLength;
        super.send(data);
      }
    };
  }
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (Array.isArray(data)) return (data as Buffer[]).reduce((n, b) => n + b.byteLength, 0);
  return typeof data === 'string' ? Buffer.byteLength(data) : 0;
}

export interface RelayTabOptions {
  mode: RelayMode;
  locks: TabLocks;
  store: MemoryStore;
  url: string;
  spaceId: string;
  /** The relay token of a space (the app reads it from the space's sync settings). */
  tokenFor: (spaceId: string) => Promise<string>;
  meter: SocketMeter;
  /** Creates the space in this tab (the first tab of the first device) instead of opening it. */
  create?: boolean;
  /**
   * Names the browser profile: its tabs' leader channel is then its own, as in a browser (this process hosts
   * several profiles, and BroadcastChannel is process-wide). Absent: one channel for every profile.
   */
  profile?: string;
}

export class RelayTab {
  /** How many times the leader detached the space because a follower stopped syncing it. */
  stopped = 0;

  private constructor(
    readonly tab: SimulatedTab,
    readonly handle: SpaceHandle,
    readonly leadership: RelayLeadership | null,
    readonly attachment: RelayAttachment | null,
    private readonly ownLayer: RelayLayer | null,
  ) {}

  static async open(o: RelayTabOptions): Promise<RelayTab> {
    const tab = await SimulatedTab.open(o.locks, o.store, { coalesceMs: 5 });
    const handle = o.create ? await tab.manager.createSpace({ name: 'Shared', id: o.spaceId }) : await tab.manager.openSpace(o.spaceId);
    const pool = new RelayConnectionPool({ WebSocket: o.meter.WebSocket, reconnectInitialMs: 50, reconnectMaxMs: 300 });
    const makeLayer = () => new RelayLayer({ url: o.url, spaceId: o.spaceId, token: () => o.tokenFor(o.spaceId), pool });
    if (o.mode === 'every-tab') {
      const layer = makeLayer();
      handle.addLayer(layer);
      return new RelayTab(tab, handle, null, null, layer);
    }
    // A space only a follower shows is opened here and attached like the app's SpaceSharing.watch does.
    const leadership: RelayLeadership = new RelayLeadership({
      locks: o.locks,
      tabId: tab.id,
      announceMs: 50,
      openChannel: o.profile ? (name) => new BroadcastChannel(`${o.profile}:${name}`) : undefined,
      openSpace: async (id) => {
        const h = await tab.manager.openSpace(id);
        const layer = () => new RelayLayer({ url: o.url, spaceId: id, token: () => o.tokenFor(id), pool });
        leadership.attach(h, o.url, layer, () => undefined);
        return h;
      },
    });
    const attachment = leadership.attach(handle, o.url, makeLayer, () => undefined, null, () => (relayTab.stopped += 1));
    const relayTab = new RelayTab(tab, handle, leadership, attachment, null);
    return relayTab;
  }

  /** The relay layer of this tab, if it holds one. */
  get layer(): RelayLayer | null {
    return this.ownLayer ?? this.attachment?.layer() ?? null;
  }

  /** A clean close: leadership given up (the next tab takes over), then the tab's spaces and lock. */
  async close(): Promise<void> {
    this.leadership?.close();
    await this.tab.close();
  }

  /** A crash: no clean goodbye; the browser releases every lock of the tab (its presence and leadership). */
  async crash(): Promise<void> {
    this.leadership?.close(); // what the browser does to a dead tab's locks and channels
    await this.tab.crash();
  }
}

/** A second device's copy of what the first stored of `spaceId` (as if it had synced it before). */
export async function copyStore(from: MemoryStore, spaceId: string): Promise<MemoryStore> {
  const to = new MemoryStore();
  const src = new MemoryLayer(spaceId, from);
  const dst = new MemoryLayer(spaceId, to);
  for (const docId of await src.listDocs()) for (const row of await src.load(docId)) await dst.save(docId, row.update);
  return to;
}
