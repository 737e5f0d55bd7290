/**
 * One relay URL in one tab (RelayLeadership, which describes the design): its election, its channel, and
 * either (leading) the relay layers, the pages held for followers and their presence hubs and commands, or
 * (following) the announcements, the leader's status, this tab's presence and commands through the leader.
 */
import { asPersistenceError, ErrorCode, PersistenceError } from '../../../core/errors.ts';
import { SPACE_DOC_ID } from '../../../core/persistence/PersistenceLayer.ts';
import type { SpaceHandle } from '../../../core/manager/SpaceHandle.ts';
import type { TabChannel } from '../../tabs/TabChannelLayer.ts';
import type { Awareness } from 'y-protocols/awareness';
import type { RelayLayer } from '../RelayLayer.ts';
import type { RelaySyncStatus } from '../RelaySyncStatus.ts';
import { listMembers, revokeInvite, revokeMember } from '../memberCommands.ts';
import { FollowerHolds } from './FollowerHolds.ts';
import { FollowerPresence } from './FollowerPresence.ts';
import { LeaderRequests, runOwnerCommand } from './LeaderRequests.ts';
import { PresenceHub } from './PresenceHub.ts';
import { LeaderElection, relayLeaderName } from './LeaderElection.ts';
import { parseRelayLeaderMessage, RELAY_LEADER_PROTOCOL_VERSION, type RelayLeaderMessage } from './RelayLeaderMessage.ts';
import type { RelayAttachment, RelayLeadershipOptions } from './RelayAttachment.ts';

/**
 * How often a follower compares its open pages with what it last announced: 250 ms. It bounds how long a
 * newly opened page goes without a relay behind it (its edits are not lost meanwhile: they reach the relay
 * once the leader opens the page and catches up through the tab channel).
 */
export const ANNOUNCE_MS = 250;

/** The reply to a follower's owner command when the leader does not sync the space (typed 'closed'). */
export const NOT_SYNCED_HERE = 'The tab holding the relay connection does not sync this space right now; try again in a moment';

/** What a follower shows before the leader has said anything: nothing is known to be stored yet. */
const UNKNOWN_STATUS: RelaySyncStatus = { state: 'connecting', unstored: 0, reason: null, lastSyncedAt: null, role: null };

interface Attached {
  readonly handle: SpaceHandle;
  readonly makeLayer: () => RelayLayer;
  readonly onChange: () => void;
  readonly onStopped?: () => void;
  layer: RelayLayer | null;
  /** Leading: the presence hub of each page someone in this browser shows (on `layer`). */
  readonly hubs: Map<string, PresenceHub>;
  offStatus: (() => void) | null;
  /** The leader's last broadcast status (followers). */
  heard: RelaySyncStatus;
  /** The page set last announced (followers), as a key; null: announce at the next tick. */
  announced: string | null;
  /** The number of the last announcement, and of the last one the leader answered (its pages followed). */
  announcedSeq: number;
  answeredSeq: number;
}

/**
 * A follower's status: the leader's, except that "synced" is not claimed while this tab has pages open
 * that the leader does not follow yet (not announced, or announced and not answered): an edit there may
 * not have reached the relay.
 */
function followerStatus(a: Attached): RelaySyncStatus {
  const pending = a.answeredSeq < a.announcedSeq || (!a.handle.isClosed && pageKey(a.handle.openPageIds()) !== a.announced);
  return pending && a.heard.state === 'synced' ? { ...a.heard, state: 'syncing' } : a.heard;
}

function pageKey(pageIds: string[]): string {
  return pageIds.sort().join('\n');
}

/** One relay URL in one tab: its election, its channel, and (leading) the pages held for followers. */
export class SharedRelay {
  private readonly election: LeaderElection;
  private readonly channel: TabChannel;
  private readonly spaces = new Map<string, Attached>();
  /** Leading: the pages held open for follower tabs, and the watches on their lifetime locks. */
  private readonly followers: FollowerHolds;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Numbers this tab's announcements (followers). */
  private announcements = 0;
  /** Following: this tab's editors' presence, through the leader. */
  private readonly presence: FollowerPresence;
  /** Following: owner commands waiting for the leader's reply. */
  private readonly requests: LeaderRequests;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly opts: RelayLeadershipOptions,
  ) {
    const name = relayLeaderName(url);
    this.channel = (opts.openChannel ?? ((n) => new BroadcastChannel(n)))(name);
    this.channel.onmessage = (e) => this.receive(e.data);
    this.channel.onmessageerror = () => this.report(new PersistenceError(ErrorCode.InvalidUpdate, 'relay leader channel: a message could not be deserialized'));
    const tab = opts.tabId;
    this.presence = new FollowerPresence(
      (spaceId, pageId, update) => this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab, kind: 'awareness', spaceId, pageId, fromLeader: false, update }),
      (e) => this.report(asPersistenceError(e, ErrorCode.InvalidUpdate)),
    );
    this.requests = new LeaderRequests(tab, (id, spaceId, command) => this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab, kind: 'request', id, spaceId, command }));
    this.followers = new FollowerHolds({
      locks: opts.locks,
      own: (spaceId) => this.spaces.get(spaceId)?.handle,
      openSpace: opts.openSpace,
      gone: (t) => this.dropTab(t),
      report: (e) => this.report(e),
    });
    this.election = new LeaderElection(opts.locks, name);
    this.election.onLeading(() => this.lead());
    this.election.onError((e) => this.report(e));
    this.election.start();
    this.timer = setInterval(() => this.announceAll(), opts.announceMs ?? ANNOUNCE_MS);
    // A follower that starts late asks the leader for its statuses.
    this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: opts.tabId, kind: 'hello' });
  }

  get leading(): boolean {
    return this.election.leading && !this.closed;
  }

  /** Resolves true as soon as this tab leads, false after `ms` without. */
  leadsWithin(ms: number): Promise<boolean> {
    if (this.leading) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(this.leading);
      }, ms);
      const off = this.election.onLeading(() => {
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  attach(handle: SpaceHandle, makeLayer: () => RelayLayer, onChange: () => void, opened: RelayLayer | null, onStopped?: () => void): RelayAttachment {
    const existing = this.spaces.get(handle.id);
    if (existing) throw new PersistenceError(ErrorCode.InvalidOperation, `space ${handle.id} already syncs through ${this.url} in this tab`);
    const a: Attached = { handle, makeLayer, onChange, onStopped, hubs: new Map(), layer: null, offStatus: null, heard: UNKNOWN_STATUS, announced: null, announcedSeq: 0, answeredSeq: 0 };
    this.spaces.set(handle.id, a);
    if (opened) this.adopt(a, opened);
    if (this.leading) this.connect(a);
    else this.announce(a);
    return {
      status: () => a.layer?.status() ?? followerStatus(a),
      layer: () => a.layer,
      detach: () => this.detach(a),
      attachAwareness: (pageId, awareness) => this.attachAwareness(a, pageId, awareness),
      listMembers: async (cursor) => {
        if (a.layer) return listMembers(a.layer, { cursor });
        const reply = await this.requests.ask(handle.id, cursor ? { op: 'list-members', cursor } : { op: 'list-members' });
        return { members: [...(reply.members ?? [])], next: reply.next ?? null };
      },
      revoke: async (what) => {
        if (a.layer) await ('memberId' in what ? revokeMember(a.layer, what.memberId) : revokeInvite(a.layer, what.inviteId));
        else await this.requests.ask(handle.id, 'memberId' in what ? { op: 'revoke-member', memberId: what.memberId } : { op: 'revoke-invite', inviteId: what.inviteId });
      },
    };
  }

  /** With a relay layer here, through the page's hub; otherwise through the leader. */
  private attachAwareness(a: Attached, pageId: string, awareness: Awareness): () => void {
    const hub = this.hubFor(a, pageId);
    if (!hub) return this.presence.attach(a.handle.id, pageId, awareness);
    const detach = hub.attachEditor(awareness);
    return () => {
      detach();
      this.endIfIdle(a, pageId, hub);
    };
  }

  private hubFor(a: Attached, pageId: string): PresenceHub | null {
    const layer = a.layer;
    if (!layer) return null;
    let hub = a.hubs.get(pageId);
    if (!hub) {
      const spaceId = a.handle.id;
      hub = new PresenceHub(
        (awareness) => layer.attachAwareness(pageId, awareness),
        (update) => {
          if (this.leading) this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'awareness', spaceId, pageId, fromLeader: true, update });
        },
      );
      a.hubs.set(pageId, hub);
    }
    return hub;
  }

  private endIfIdle(a: Attached, pageId: string, hub: PresenceHub): void {
    if (!hub.idle || a.hubs.get(pageId) !== hub) return;
    a.hubs.delete(pageId);
    hub.end();
  }

  /** The layer of `a` went (stopped, handed back after bootstrap, closed): so do its hubs. Editors attached
   * to them attach again, as the attachment's layer changed. */
  private endHubs(a: Attached): void {
    for (const hub of a.hubs.values()) hub.end();
    a.hubs.clear();
  }

  close(): void {
    if (this.closed) return;
    const wasLeading = this.election.leading;
    if (!wasLeading) this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'bye' });
    this.closed = true;
    clearInterval(this.timer);
    this.election.resign();
    for (const tab of this.followers.tabs()) this.dropTab(tab);
    this.followers.close();
    for (const a of this.spaces.values()) {
      a.offStatus?.();
      this.endHubs(a);
    }
    this.spaces.clear();
    this.requests.close();
    this.channel.onmessage = null;
    this.channel.onmessageerror = null;
    this.channel.close();
  }

  // --- leading ---

  private lead(): void {
    if (this.closed) return;
    for (const a of this.spaces.values()) {
      if (a.layer) this.statusChanged(a); // a layer it opened with is now the one connection
      else this.connect(a);
    }
    // Followers re-announce their pages to the new leader (the old one's holds died with it).
    this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'hello' });
  }

  private connect(a: Attached): void {
    if (a.layer || a.handle.isClosed) return;
    const layer = a.makeLayer();
    try {
      a.handle.addLayer(layer);
    } catch (e) {
      void layer.close();
      return this.report(asPersistenceError(e, ErrorCode.InvalidOperation));
    }
    a.layer = layer;
    a.offStatus = layer.onStatus(() => this.statusChanged(a));
    this.statusChanged(a);
  }

  private statusChanged(a: Attached): void {
    if (this.leading) this.broadcastStatus(a);
    a.onChange();
  }

  /** A layer the space was opened with (layerAtOpen). A follower keeps it only until the space document
   * is in sync with the relay (a joined or wiped space has arrived), then leaves the relay to the leader. */
  private adopt(a: Attached, layer: RelayLayer): void {
    a.layer = layer;
    a.offStatus = layer.onStatus(() => this.statusChanged(a));
    if (this.leading) return;
    void layer.whenSettled(SPACE_DOC_ID).then(async () => {
      if (this.leading || a.layer !== layer || this.closed) return;
      a.offStatus?.();
      a.offStatus = null;
      a.layer = null;
      this.endHubs(a);
      if (!a.handle.isClosed) await a.handle.removeLayer(layer.name);
      a.announced = null;
      this.announce(a);
      a.onChange();
    });
  }

  private broadcastStatus(a: Attached, answers?: { tab: string; seq: number }): void {
    if (!a.layer) return;
    const status = a.layer.status();
    this.post(answers ? { v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'status', spaceId: a.handle.id, status, answers } : { v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'status', spaceId: a.handle.id, status });
  }

  private dropTab(tab: string): void {
    this.followers.drop(tab);
    for (const a of this.spaces.values()) {
      for (const [pageId, hub] of a.hubs) {
        hub.dropSource(followerSource(tab));
        this.endIfIdle(a, pageId, hub);
      }
    }
  }

  // --- following ---

  private announceAll(): void {
    if (this.leading || this.closed) return;
    for (const a of this.spaces.values()) this.announce(a);
  }

  private announce(a: Attached): void {
    if (this.leading || this.closed || a.handle.isClosed) return;
    const pageIds = a.handle.openPageIds();
    const key = pageKey(pageIds);
    if (key === a.announced) return;
    a.announced = key;
    a.announcedSeq = ++this.announcements;
    this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'pages', spaceId: a.handle.id, seq: a.announcedSeq, pageIds });
    a.onChange(); // the status reads "syncing" until the leader answers
  }

  private async detach(a: Attached): Promise<void> {
    if (this.spaces.get(a.handle.id) !== a) return;
    this.spaces.delete(a.handle.id);
    a.offStatus?.();
    this.endHubs(a);
    const wasLeading = this.leading;
    if (a.layer) await a.handle.removeLayer(a.layer.name);
    else if (!this.closed) this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'pages', spaceId: a.handle.id, seq: ++this.announcements, pageIds: [] });
    // The leader keeps its relay layer until told: the settings this follower saved are shared, its
    // layer is not. (A bootstrap layer of a follower tab does not make it the leader.)
    if (!wasLeading && !this.closed) this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'stop', spaceId: a.handle.id });
    a.layer = null;
  }

  // --- the channel ---

  private receive(data: unknown): void {
    if (this.closed) return;
    let m: RelayLeaderMessage;
    try {
      m = parseRelayLeaderMessage(data);
    } catch (e) {
      if (e instanceof PersistenceError) return this.report(e);
      throw e;
    }
    if (m.tab === this.opts.tabId) return;
    switch (m.kind) {
      case 'hello':
        if (this.leading) for (const a of this.spaces.values()) this.broadcastStatus(a);
        else {
          for (const a of this.spaces.values()) {
            a.announced = null;
            this.announce(a);
          }
          this.presence.resend();
        }
        return;
      case 'awareness': {
        if (m.fromLeader) {
          if (!this.leading) this.presence.receive(m.spaceId, m.pageId, m.update);
          return;
        }
        const a = this.spaces.get(m.spaceId);
        if (!this.leading || !a) return;
        // Presence joins a page once this tab has it open (held for that follower, or shown here): a relay
        // session started for presence alone, before the page's own exchange, left that page's open waiting
        // (seen in e2e/leaderTab.spec.ts). Before that it is dropped; the follower sends it again once its
        // announcement of the page is answered.
        const held = this.followers.held(m.tab, m.spaceId, m.pageId);
        if (!held && !a.handle.openPageIds().includes(m.pageId)) return;
        const { tab, pageId, update } = m;
        void (held ?? Promise.resolve(null)).then(() => {
          if (!this.leading || this.spaces.get(a.handle.id) !== a || a.handle.isClosed || !a.handle.openPageIds().includes(pageId)) return;
          const hub = this.hubFor(a, pageId);
          if (!hub) return;
          this.followers.watch(tab);
          try {
            hub.apply(followerSource(tab), update);
          } catch (e) {
            this.report(asPersistenceError(e, ErrorCode.InvalidUpdate)); // a malformed update changes nothing
          }
          this.endIfIdle(a, pageId, hub);
        });
        return;
      }
      case 'request': {
        if (!this.leading) return;
        const { tab, id, spaceId } = m;
        const layer = this.spaces.get(spaceId)?.layer;
        // No layer: this tab is not (or no longer, or not yet) syncing that space; nothing local failed.
        const reply = layer ? runOwnerCommand(layer, m.command) : Promise.resolve({ ok: false as const, code: ErrorCode.Closed, message: NOT_SYNCED_HERE });
        void reply.then((result) => this.post({ v: RELAY_LEADER_PROTOCOL_VERSION, tab: this.opts.tabId, kind: 'reply', id, to: tab, result }));
        return;
      }
      case 'reply':
        if (!this.leading) this.requests.receive(m);
        return;
      case 'stop': {
        const a = this.spaces.get(m.spaceId);
        if (!this.leading || !a) return;
        void this.detach(a).then(
          () => a.onStopped?.(),
          (e: unknown) => this.report(asPersistenceError(e, ErrorCode.InvalidOperation)), // removing the relay layer failed
        );
        return;
      }
      case 'pages': {
        if (!this.leading) return;
        const { tab, seq, spaceId } = m;
        // Answered once the pages are open and followed, so the status covers them. It also serves a
        // follower that just attached the space and missed earlier statuses.
        void this.followers.hold(tab, spaceId, m.pageIds).then(() => {
          const a = this.spaces.get(spaceId);
          if (a && this.leading) this.broadcastStatus(a, { tab, seq });
        });
        return;
      }
      case 'bye':
        if (this.leading) this.dropTab(m.tab);
        return;
      case 'status': {
        const a = this.spaces.get(m.spaceId);
        if (this.leading || !a) return;
        a.heard = m.status;
        if (m.answers?.tab === this.opts.tabId && m.answers.seq > a.answeredSeq) {
          a.answeredSeq = m.answers.seq;
          this.presence.resend(); // the leader holds the announced pages now, and takes their presence
        }
        a.onChange();
        return;
      }
    }
  }

  private post(m: RelayLeaderMessage): void {
    if (!this.closed) this.channel.postMessage(m);
  }

  private report(e: PersistenceError): void {
    this.opts.onError?.(e);
  }
}

/** The presence hubs' name of a follower tab's clients. */
function followerSource(tab: string): string {
  return `tab:${tab}`;
}
