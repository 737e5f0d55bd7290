import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../../core/errors.ts';
import { MAX_ANNOUNCED_PAGES, MAX_AWARENESS_BYTES, parseRelayLeaderMessage } from './RelayLeaderMessage.ts';

const status = { state: 'synced', unstored: 0, reason: null, lastSyncedAt: 1, role: 'editor' };

describe('parseRelayLeaderMessage', () => {
  it('accepts hello, bye, pages and status', () => {
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'hello' }).kind).toBe('hello');
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'bye' }).kind).toBe('bye');
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'pages', spaceId: 's', seq: 1, pageIds: ['a'] })).toMatchObject({ pageIds: ['a'] });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'status', spaceId: 's', status, answers: { tab: 'u', seq: 2 } })).toMatchObject({ answers: { tab: 'u', seq: 2 } });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'status', spaceId: 's', status })).toMatchObject({ status });
  });

  it('accepts awareness, request, reply and stop', () => {
    const update = new Uint8Array([1, 2, 3]);
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'awareness', spaceId: 's', pageId: 'p', fromLeader: false, update })).toMatchObject({ pageId: 'p', update });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'request', id: 'r1', spaceId: 's', command: { op: 'revoke-member', memberId: 'm' } })).toMatchObject({ command: { op: 'revoke-member', memberId: 'm' } });
    const member = { memberId: 'm', inviteId: 'i', role: 'editor', name: 'Bea', firstSeenAt: 1, lastSeenAt: 2 };
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'reply', id: 'r1', to: 'u', result: { ok: true, members: [member] } })).toMatchObject({ result: { ok: true, members: [member] } });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'reply', id: 'r1', to: 'u', result: { ok: false, code: 'forbidden', message: 'no' } })).toMatchObject({ result: { ok: false, code: 'forbidden' } });
    // Member list pages: a cursor in the request, the next page's in the reply.
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'request', id: 'r1', spaceId: 's', command: { op: 'list-members', cursor: '5:m.x' } })).toMatchObject({ command: { op: 'list-members', cursor: '5:m.x' } });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'reply', id: 'r1', to: 'u', result: { ok: true, members: [member], next: '5:m.x' } })).toMatchObject({ result: { ok: true, next: '5:m.x' } });
    expect(parseRelayLeaderMessage({ v: 1, tab: 't', kind: 'stop', spaceId: 's' }).kind).toBe('stop');
  });

  it.each([
    ['awareness without bytes', { v: 1, tab: 't', kind: 'awareness', spaceId: 's', pageId: 'p', fromLeader: false, update: [1, 2] }],
    ['awareness too large', { v: 1, tab: 't', kind: 'awareness', spaceId: 's', pageId: 'p', fromLeader: true, update: new Uint8Array(MAX_AWARENESS_BYTES + 1) }],
    ['awareness without fromLeader', { v: 1, tab: 't', kind: 'awareness', spaceId: 's', pageId: 'p', update: new Uint8Array([1]) }],
    ['unknown command', { v: 1, tab: 't', kind: 'request', id: 'r', spaceId: 's', command: { op: 'delete-space' } }],
    ['revoke without a member', { v: 1, tab: 't', kind: 'request', id: 'r', spaceId: 's', command: { op: 'revoke-member' } }],
    ['reply with an unknown code', { v: 1, tab: 't', kind: 'reply', id: 'r', to: 'u', result: { ok: false, code: 'oops', message: '' } }],
    ['list with a cursor that is not an id', { v: 1, tab: 't', kind: 'request', id: 'r', spaceId: 's', command: { op: 'list-members', cursor: 5 } }],
    ['reply with a next that is not an id', { v: 1, tab: 't', kind: 'reply', id: 'r', to: 'u', result: { ok: true, members: [], next: '' } }],
    ['reply with a malformed member', { v: 1, tab: 't', kind: 'reply', id: 'r', to: 'u', result: { ok: true, members: [{ memberId: 'm' }] } }],
    ['stop without a space', { v: 1, tab: 't', kind: 'stop' }],
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
