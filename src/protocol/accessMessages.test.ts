import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../core/errors.ts';
import {
  AccessMessageError,
  AccessMessageType,
  MAX_MEMBER_CURSOR_CHARS,
  RelayCloseReason,
  encodeAccessReply,
  encodeAccessRequest,
  formatCloseReason,
  parseAccessReply,
  parseAccessRequest,
  parseCloseReason,
} from './accessMessages.ts';

describe('access messages', () => {
  test('requests and replies round-trip', () => {
    const requests = [
      { t: AccessMessageType.RevokeInvite, req: '1', inviteId: 'inv' },
      { t: AccessMessageType.RevokeMember, req: '2', memberId: 'mem' },
      { t: AccessMessageType.ListMembers, req: '3' },
      { t: AccessMessageType.ListMembers, req: '4', cursor: '17:m.abc' },
    ] as const;
    for (const r of requests) expect(parseAccessRequest(encodeAccessRequest(r))).toEqual(r);
    const members = [{ memberId: 'm', inviteId: 'i', role: 'editor' as const, name: 'Ada', firstSeenAt: 1, lastSeenAt: 2 }];
    const replies = [
      { t: AccessMessageType.Reply, req: '1', ok: true },
      { t: AccessMessageType.Reply, req: '3', ok: true, members },
      { t: AccessMessageType.Reply, req: '4', ok: true, members, next: '17:m.abc' },
      { t: AccessMessageType.Reply, req: '2', ok: false, code: ErrorCode.Forbidden, message: 'owner only' },
    ] as const;
    for (const r of replies) expect(parseAccessReply(encodeAccessReply(r))).toEqual(r);
  });

  test('paging is compatible with version 1: a list request without a cursor, a reply without next', () => {
    // What a client from before paging sends, and what it gets back (it ignores the unknown `next`).
    expect(parseAccessRequest(JSON.stringify({ t: AccessMessageType.ListMembers, v: 1, req: 'old' }))).toEqual({ t: AccessMessageType.ListMembers, req: 'old' });
    expect(parseAccessReply(JSON.stringify({ t: AccessMessageType.Reply, v: 1, req: 'old', ok: true, members: [] }))).toEqual({ t: AccessMessageType.Reply, req: 'old', ok: true, members: [] });
    for (const cursor of ['', 5, 'x'.repeat(MAX_MEMBER_CURSOR_CHARS + 1)]) {
      expect(() => parseAccessRequest(JSON.stringify({ t: AccessMessageType.ListMembers, v: 1, req: '1', cursor }))).toThrow(AccessMessageError);
      expect(() => parseAccessReply(JSON.stringify({ t: AccessMessageType.Reply, v: 1, req: '1', ok: true, members: [], next: cursor }))).toThrow(AccessMessageError);
    }
  });

  test('other stateless messages are not access messages; malformed ones are typed errors', () => {
    expect(parseAccessRequest('hello')).toBeNull();
    expect(parseAccessRequest(JSON.stringify({ t: 'quire:stored', v: 1 }))).toBeNull();
    expect(parseAccessReply(encodeAccessRequest({ t: AccessMessageType.ListMembers, req: '1' }))).toBeNull();
    const bad = [{ t: AccessMessageType.RevokeInvite, v: 1, req: '1' }, { t: AccessMessageType.ListMembers, v: 1 }, { t: AccessMessageType.ListMembers, v: 0, req: '1' }, { t: AccessMessageType.RevokeMember, v: 1, req: '1', memberId: 'x'.repeat(65) }];
    for (const m of bad) {
      expect(() => parseAccessRequest(JSON.stringify(m))).toThrow(AccessMessageError);
    }
    expect(() => parseAccessReply(JSON.stringify({ t: AccessMessageType.Reply, v: 1, req: '1', ok: false, code: 'nope', message: '' }))).toThrow(AccessMessageError);
    try {
      parseAccessRequest(JSON.stringify({ t: AccessMessageType.ListMembers, v: 2, req: '1' }));
      expect.unreachable();
    } catch (e) {
      expect((e as AccessMessageError).code).toBe(ErrorCode.VersionTooNew);
    }
  });

  test('close reasons: parsed from "<reason>: why", bounded to a close frame', () => {
    expect(parseCloseReason('revoked')).toBe(RelayCloseReason.Revoked);
    expect(parseCloseReason('invalid-update: does not decode')).toBe(RelayCloseReason.InvalidUpdate);
    expect(parseCloseReason('provider_initiated')).toBeNull();
    const long = formatCloseReason(RelayCloseReason.TooLarge, 'é'.repeat(200));
    expect(new TextEncoder().encode(long).byteLength).toBeLessThanOrEqual(123);
    expect(parseCloseReason(long)).toBe(RelayCloseReason.TooLarge);
    expect(long).not.toContain('\uFFFD');
  });
});
