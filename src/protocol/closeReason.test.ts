import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../core/errors.ts';
import { errorCodeOf, syncStopReason, SyncStopReason } from './closeReason.ts';

describe('why sync stopped', () => {
  it('maps the relay reasons, with or without detail, and Hocuspocus defaults', () => {
    expect(syncStopReason('expired')).toBe(SyncStopReason.Expired);
    expect(syncStopReason('revoked: member m1')).toBe(SyncStopReason.Revoked);
    expect(syncStopReason('invalid-update: not a Yjs update')).toBe(SyncStopReason.InvalidUpdate);
    expect(syncStopReason('too-large')).toBe(SyncStopReason.TooLarge);
    expect(syncStopReason('rate-limited')).toBe(SyncStopReason.RateLimited);
    expect(syncStopReason('Unauthorized')).toBe(SyncStopReason.Unauthorized);
    expect(syncStopReason('Forbidden')).toBe(SyncStopReason.Forbidden);
    expect(syncStopReason('permission-denied')).toBe(SyncStopReason.Unauthorized);
    // Not refusals: the session is reopened.
    expect(syncStopReason('Reset Connection')).toBe(SyncStopReason.Other);
    expect(syncStopReason('something new')).toBe(SyncStopReason.Other);
  });

  it('reports refused content as invalid-update and access refusals as forbidden', () => {
    expect(errorCodeOf(SyncStopReason.InvalidUpdate)).toBe(ErrorCode.InvalidUpdate);
    expect(errorCodeOf(SyncStopReason.TooLarge)).toBe(ErrorCode.InvalidUpdate);
    for (const r of [SyncStopReason.Unauthorized, SyncStopReason.Expired, SyncStopReason.Revoked, SyncStopReason.Forbidden, SyncStopReason.RateLimited]) expect(errorCodeOf(r)).toBe(ErrorCode.Forbidden);
  });
});
