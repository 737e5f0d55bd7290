import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { MAX_UPDATE_BYTES } from '../../core/guard/UpdateGuard.ts';
import { MAX_HELD_AUTHORS, MAX_STATE_VECTOR_BYTES, parseTabMessage, spaceChannelName } from './TabMessage.ts';

const ok = { v: 1, tab: 't1', docId: 'd1' };

function refusal(data: unknown): PersistenceError {
  try {
    parseTabMessage(data, 'tabs');
  } catch (e) {
    expect(e).toBeInstanceOf(PersistenceError);
    return e as PersistenceError;
  }
  throw new Error(`accepted ${JSON.stringify(data)}`);
}

describe('parseTabMessage (tab wire format v1)', () => {
  it('accepts each kind with valid fields and ignores extra fields', () => {
    const update = new Uint8Array([0, 0]);
    expect(parseTabMessage({ ...ok, kind: 'update', seq: 3, update, extra: true }, 'tabs')).toEqual({ ...ok, kind: 'update', seq: 3, update });
    expect(parseTabMessage({ ...ok, kind: 'acked', upToSeq: 0 }, 'tabs')).toEqual({ ...ok, kind: 'acked', upToSeq: 0 });
    expect(parseTabMessage({ ...ok, kind: 'sync-request', stateVector: new Uint8Array([0]) }, 'tabs').kind).toBe('sync-request');
    expect(parseTabMessage({ ...ok, kind: 'sync-reply', to: 't2', seq: 0, update }, 'tabs').kind).toBe('sync-reply');
    expect(spaceChannelName('abc')).toBe('quire:space:abc');
  });

  it('reads a sync-reply\'s held authors, and a reply without them (a tab of the previous release) as none', () => {
    const update = new Uint8Array([0, 0]);
    const reply = { ...ok, kind: 'sync-reply', to: 't2', seq: 0, update };
    expect(parseTabMessage(reply, 'tabs')).toEqual({ ...reply, held: [] });
    const held = [{ tab: 't3', seq: 7 }, { tab: 't4', seq: 1 }];
    expect(parseTabMessage({ ...reply, held: held.map((h) => ({ ...h, extra: 1 })) }, 'tabs')).toEqual({ ...reply, held });
    const bad: unknown[] = [
      'no list',
      [{ tab: 't3' }],
      [{ tab: 't3', seq: 0 }],
      [{ tab: '', seq: 1 }],
      [{ tab: 't3', seq: 1.5 }],
      [null],
      Array.from({ length: MAX_HELD_AUTHORS + 1 }, (_, i) => ({ tab: `t${i}`, seq: 1 })),
    ];
    for (const h of bad) expect(refusal({ ...reply, held: h }).code).toBe(ErrorCode.InvalidUpdate);
  });

  it('refuses wrong shapes, types and sizes with code invalid-update, and newer versions with version-too-new', () => {
    const big = new Uint8Array(MAX_UPDATE_BYTES + 1);
    const cases: unknown[] = [
      undefined,
      42,
      { ...ok },
      { ...ok, v: '1', kind: 'acked', upToSeq: 1 },
      { ...ok, tab: 'x'.repeat(129), kind: 'acked', upToSeq: 1 },
      { ...ok, docId: 'x'.repeat(257), kind: 'acked', upToSeq: 1 },
      { ...ok, kind: 'acked', upToSeq: Number.MAX_SAFE_INTEGER + 2 },
      { ...ok, kind: 'acked', upToSeq: '1' },
      { ...ok, kind: 'update', seq: 1, update: [0, 0] },
      { ...ok, kind: 'update', seq: 1, update: big },
      { ...ok, kind: 'sync-request', stateVector: new Uint8Array(MAX_STATE_VECTOR_BYTES + 1) },
      { ...ok, kind: 'sync-reply', seq: 1, update: new Uint8Array([0, 0]) },
    ];
    for (const c of cases) expect(refusal(c).code).toBe(ErrorCode.InvalidUpdate);
    expect(refusal({ ...ok, v: 2, kind: 'acked', upToSeq: 1 }).code).toBe(ErrorCode.VersionTooNew);
  });
});
