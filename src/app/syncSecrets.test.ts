import { describe, expect, it } from 'vitest';
import { MAX_SENT_INVITES, SyncSecret, readRevokedMembers, readSentInvites, withInviteRevoked, withMemberRevoked, withSentInvite, type SentInvite } from './syncSecrets.ts';

const invite = (inviteId: string, createdAt = 1): SentInvite => ({ inviteId, role: 'editor', expiresAt: null, createdAt, relayUrl: 'ws://r', revokedAt: null });

describe('invites and revocations kept in a space secrets', () => {
  it('adds invites newest first, marks one revoked, and bounds the list', () => {
    let secrets = {};
    secrets = { ...secrets, ...withSentInvite(secrets, invite('a')) };
    secrets = { ...secrets, ...withSentInvite(secrets, invite('b', 2)) };
    expect(readSentInvites(secrets).map((i) => i.inviteId)).toEqual(['b', 'a']);
    secrets = { ...secrets, ...withInviteRevoked(secrets, 'a', 9) };
    expect(readSentInvites(secrets).find((i) => i.inviteId === 'a')?.revokedAt).toBe(9);
    // Revoking twice keeps the first time.
    secrets = { ...secrets, ...withInviteRevoked(secrets, 'a', 10) };
    expect(readSentInvites(secrets).find((i) => i.inviteId === 'a')?.revokedAt).toBe(9);
    for (let n = 0; n < MAX_SENT_INVITES + 5; n++) secrets = { ...secrets, ...withSentInvite(secrets, invite(`x${n}`)) };
    expect(readSentInvites(secrets)).toHaveLength(MAX_SENT_INVITES);
  });

  it('reads damaged lists as empty and skips malformed entries', () => {
    expect(readSentInvites({ [SyncSecret.Invites]: 'not json' })).toEqual([]);
    expect(readSentInvites({ [SyncSecret.Invites]: JSON.stringify([invite('ok'), { inviteId: 3 }]) }).map((i) => i.inviteId)).toEqual(['ok']);
    expect(readRevokedMembers({ [SyncSecret.RevokedMembers]: '[' })).toEqual({});
    expect(readRevokedMembers({ [SyncSecret.RevokedMembers]: JSON.stringify({ m: 1, bad: 'x' }) })).toEqual({ m: 1 });
  });

  it('remembers revoked members', () => {
    let secrets = {};
    secrets = { ...secrets, ...withMemberRevoked(secrets, 'm1', 5) };
    secrets = { ...secrets, ...withMemberRevoked(secrets, 'm2', 6) };
    expect(readRevokedMembers(secrets)).toEqual({ m1: 5, m2: 6 });
  });
});
