/**
 * The owner's member commands against the REAL relay process on loopback, with real keys, a real owner
 * capability and real invites (relay/testing/testSpace.ts): list, revoke a member, revoke an invite, and the
 * typed errors (a non-owner, the owner capability, no answer, an offline relay).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { ErrorCode } from '../../core/errors.ts';
import { SPACE_DOC_ID, type DocId } from '../../core/persistence/PersistenceLayer.ts';
import { startRelayProcess, type RelayProcess } from '../../../relay/testing/relayProcess.ts';
import { testSpace, type TestSpace } from '../../../relay/testing/testSpace.ts';
import { OWNER_CAPABILITY_ID } from '../../protocol/capability.ts';
import { relayToken } from '../../protocol/inviteLink.ts';
import { relayMemberId } from '../../protocol/relayMemberId.ts';
import { RelayConnectionPool, type WebSocketConstructor } from './RelayConnection.ts';
import { RelayLayer } from './RelayLayer.ts';
import { MemberCommandError, listMembers, revokeInvite, revokeMember, type AccessChannel } from './memberCommands.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
const until = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 15_000, interval: 20 });

let dataDir: string;
let relay: RelayProcess | null = null;
const layers: RelayLayer[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'quire-member-commands-'));
});
afterEach(async () => {
  await Promise.allSettled(layers.splice(0).map((l) => l.close()));
  await relay?.stop('SIGKILL');
  relay = null;
  rmSync(dataDir, { recursive: true, force: true });
});

function layer(url: string, space: TestSpace, token: string): RelayLayer {
  // Each device has its own pool (its own socket), as two browsers would.
  const pool = new RelayConnectionPool({ WebSocket: WS, reconnectInitialMs: 50, reconnectMaxMs: 500 });
  const l = new RelayLayer({ url, spaceId: space.spaceId, token: () => token, pool });
  layers.push(l);
  return l;
}

/** Follows the space document with an empty live document, as an open space does. */
function followSpace(l: RelayLayer): void {
  const doc = new Y.Doc();
  l.follow(SPACE_DOC_ID, Y.encodeStateVector(doc), { diff: (sv) => Y.encodeStateAsUpdate(doc, sv), stateVector: () => Y.encodeStateVector(doc) });
}

async function caught(p: Promise<unknown>): Promise<MemberCommandError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MemberCommandError);
  return e as MemberCommandError;
}

describe('member commands against the real relay', () => {
  it('lists the members with role, name and times; revoking a member stops its sync with "revoked"', async () => {
    relay = await startRelayProcess(dataDir);
    const space = await testSpace();
    const owner = layer(relay.url, space, space.ownerToken('owner-device'));
    followSpace(owner);
    await until(() => expect(owner.status().state).toBe('synced'));

    const bea = await space.invite('editor', null, 'bea-device');
    const b = layer(relay.url, space, bea.token);
    followSpace(b);
    await until(() => expect(b.status().state).toBe('synced'));

    const { members } = await listMembers(owner);
    const beaId = relayMemberId(bea.inviteId, 'bea-device');
    const listed = members.find((m) => m.memberId === beaId);
    expect(listed).toMatchObject({ inviteId: bea.inviteId, role: 'editor', name: 'editor bea-' });
    expect(listed!.firstSeenAt).toBeGreaterThan(0);
    expect(listed!.lastSeenAt).toBeGreaterThanOrEqual(listed!.firstSeenAt);
    expect(members.find((m) => m.memberId === relayMemberId(OWNER_CAPABILITY_ID, 'owner-device'))?.role).toBe('owner');

    await revokeMember(owner, beaId);
    await until(() => expect(b.status()).toMatchObject({ state: 'stopped', reason: 'revoked' }));
    // The owner's own session is untouched, and the command can be repeated (idempotent).
    await revokeMember(owner, beaId);
    expect(owner.status().state).not.toBe('stopped');

    // The same device reconnecting later is refused as well.
    const again = layer(relay.url, space, bea.token);
    followSpace(again);
    await until(() => expect(again.status()).toMatchObject({ state: 'stopped', reason: 'revoked' }));
  });

  it('revoking an invite ends every device that joined with it and refuses it afterwards; others keep syncing', async () => {
    relay = await startRelayProcess(dataDir);
    const space = await testSpace();
    const owner = layer(relay.url, space, space.ownerToken());
    // No document followed: the command alone opens the space document's session (and registers the space).
    expect((await listMembers(owner)).members.map((m) => m.role)).toEqual(['owner']);
    const shared = await space.invite('editor');
    const other = await space.invite('viewer');
    const b1 = layer(relay.url, space, shared.token);
    const viewer = layer(relay.url, space, other.token);
    followSpace(b1);
    followSpace(viewer);
    await until(() => expect(b1.status().state).toBe('synced'));
    await until(() => expect(viewer.status().state).toBe('synced'));

    await revokeInvite(owner, shared.inviteId);
    await until(() => expect(b1.status()).toMatchObject({ state: 'stopped', reason: 'revoked' }));
    expect(viewer.status().state).toBe('synced');

    const sameInviteNewDevice = layer(relay.url, space, relayToken({ capability: shared.capability, memberId: 'new-device', name: 'New' }));
    followSpace(sameInviteNewDevice);
    await until(() => expect(sameInviteNewDevice.status()).toMatchObject({ state: 'stopped', reason: 'revoked' }));
  });

  it('gives typed errors: a non-owner is forbidden, the owner capability cannot be revoked', async () => {
    relay = await startRelayProcess(dataDir);
    const space = await testSpace();
    const owner = layer(relay.url, space, space.ownerToken());
    followSpace(owner);
    await until(() => expect(owner.status().state).toBe('synced'));
    const editor = layer(relay.url, space, (await space.invite('editor')).token);
    followSpace(editor);
    await until(() => expect(editor.status().state).toBe('synced'));

    expect((await caught(listMembers(editor))).code).toBe(ErrorCode.Forbidden);
    expect((await caught(revokeMember(editor, 'anyone'))).code).toBe(ErrorCode.Forbidden);
    expect((await caught(revokeInvite(owner, OWNER_CAPABILITY_ID))).code).toBe(ErrorCode.InvalidOperation);
    // The owner's own devices cannot be revoked one by one; an id the list never gave is refused too.
    const { members } = await listMembers(owner);
    expect((await caught(revokeMember(owner, members.find((m) => m.role === 'owner')!.memberId))).code).toBe(ErrorCode.InvalidOperation);
    expect((await caught(revokeMember(owner, 'owner'))).code).toBe(ErrorCode.InvalidOperation);
    // The refusals changed nothing: the editor still syncs.
    expect(editor.status().state).toBe('synced');
  });

  it('lists the members page by page: each once, the last page without a next', async () => {
    relay = await startRelayProcess(dataDir, { env: { QUIRE_RELAY_MEMBERS_PER_PAGE: '2' } });
    const space = await testSpace();
    const owner = layer(relay.url, space, space.ownerToken());
    followSpace(owner);
    await until(() => expect(owner.status().state).toBe('synced'));
    const invite = await space.invite('viewer');
    for (const id of ['v1', 'v2', 'v3', 'v4']) {
      const device = layer(relay.url, space, relayToken({ capability: invite.capability, memberId: id, name: id }));
      followSpace(device);
      await until(() => expect(device.status().state).toBe('synced'));
    }
    const names: string[] = [];
    let page = await listMembers(owner);
    names.push(...page.members.map((m) => m.name));
    while (page.next !== null && names.length < 10) {
      expect(page.members).toHaveLength(2);
      page = await listMembers(owner, { cursor: page.next });
      names.push(...page.members.map((m) => m.name));
    }
    expect(names.sort()).toEqual(['Owner', 'v1', 'v2', 'v3', 'v4']);
  });

  it('rejects at once while the relay is unreachable, and times out when no reply comes', async () => {
    relay = await startRelayProcess(dataDir);
    const space = await testSpace();
    const owner = layer(relay.url, space, space.ownerToken());
    followSpace(owner);
    await until(() => expect(owner.status().state).toBe('synced'));
    await relay.stop('SIGKILL');
    relay = null;
    await until(() => expect(owner.status().state).toBe('offline'));
    expect((await caught(listMembers(owner))).code).toBe(ErrorCode.Unreachable);

    const silent: AccessChannel = { sendStateless: () => {}, onStateless: () => () => {}, status: () => ({ state: 'synced' }) };
    expect((await caught(revokeMember(silent, 'm', { timeoutMs: 50 }))).code).toBe(ErrorCode.Timeout);
    let listener: ((docId: DocId, payload: string) => void) | null = null;
    const other: AccessChannel = {
      sendStateless: () => listener?.(SPACE_DOC_ID, JSON.stringify({ t: 'quire:access-reply', v: 1, req: 'someone-else', ok: true })),
      onStateless: (l) => ((listener = l), () => (listener = null)),
      status: () => ({ state: 'synced' }),
    };
    expect((await caught(listMembers(other, { timeoutMs: 50 }))).code).toBe(ErrorCode.Timeout);
    expect(listener).toBeNull();
  });
});
