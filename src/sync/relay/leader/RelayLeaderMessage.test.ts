import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../../core/errors.ts';
import { MAX_ANNOUNCED_PAGES, parseRelayLeaderMessage } from './RelayLeaderMessage.ts';

const status = { state: 'synced', unstored: 0, reason: null, lastSyncedAt: 1, role: 'editor' };

describe('parseRelayLeaderMessage', () => {
  it('accepts the four kinds', () => {
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'hello' }).kind).toBe('hello');
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'bye' }).kind).toBe('bye');
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'pages', spaceId: 's', seq: 1, pageIds: ['a'] })).toMatchObject({ pageIds: ['a'] });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'status', spaceId: 's', status, answers: { tab: 'u', seq: 2 } })).toMatchObject({ answers: { tab: 'u', seq: 2 } });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'status', spaceId: 's', status })).toMatchObject({ status });
  });

  it.each([
    ['not an object', 'x'],
    ['no tab', { v: 1, kind: 'hello' }],
    ['unknown kind', { v: 1, tab: 't', kind: 'steal' }],
    ['page ids not strings', { v: 1, tab: 't', kind: 'pages', spaceId: 's', seq: 1, pageIds: [1] }],
    ['too many pages', { v: 1, tab: 't', kind: 'pages', spaceId: 's', seq: 1, pageIds: Array.from({ length: MAX_ANNOUNCED_PAGES + 1 }, (_, i) => `p${i}`) }],
    ['pages without seq', { v: 1, tab: 't', kind: 'pages', spaceId: 's', pageIds: [] }],
    ['malformed answers', { v: 1, tab: 't', kind: 'status', spaceId: 's', status, answers: { tab: 'u' } }],
    ['unknown state', { v: 1, tab: 't', kind: 'status', spaceId: 's', status: { ...status, state: 'great' } }],
    ['negative unstored', { v: 1, tab: 't', kind: 'status', spaceId: 's', status: { ...status, unstored: -1 } }],
    ['unknown reason', { v: 1, tab: 't', kind: 'status', spaceId: 's', status: { ...status, reason: 'because' } }],
  ])('refuses %s with a typed error', (_why, data) => {
    const e = (() => {
      try {
        parseRelayLeaderMessage(data);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(PersistenceError);
    expect((e as PersistenceError).code).toBe(ErrorCode.InvalidUpdate);
  });

  it('tells a newer version apart', () => {
    expect(() => parseRelayLeaderMessage({ v: 2, tab: 't', kind: 'hello' })).toThrow(expect.objectContaining({ code: ErrorCode.VersionTooNew }));
  });
});
