import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../errors.ts';
import { MAX_EVENT_PAGE_IDS, parseDomainEvent } from './DomainEvent.ts';

const base = { v: 1, source: 'tab-1', at: 1_700_000_000_000, spaceId: 'space-1' };

describe('parseDomainEvent', () => {
  it('accepts each event type and drops unknown fields', () => {
    expect(parseDomainEvent({ ...base, type: 'spaces-changed', change: 'deleted', extra: 'x' })).toEqual({ ...base, type: 'spaces-changed', change: 'deleted' });
    expect(parseDomainEvent({ ...base, type: 'space-changed' })).toEqual({ ...base, type: 'space-changed' });
    expect(parseDomainEvent({ ...base, type: 'pages-changed', change: 'changed', pageIds: ['a', 'b'] })).toMatchObject({ pageIds: ['a', 'b'] });
    expect(parseDomainEvent({ ...base, type: 'document-changed', pageId: 'p' })).toMatchObject({ pageId: 'p' });
  });

  const bad: [string, unknown][] = [
    ['null', null],
    ['an array', [base]],
    ['no version', { ...base, v: undefined, type: 'space-changed' }],
    ['an unknown type', { ...base, type: 'page-exploded' }],
    ['an empty source', { ...base, source: '', type: 'space-changed' }],
    ['a huge source', { ...base, source: 'x'.repeat(129), type: 'space-changed' }],
    ['a negative time', { ...base, at: -1, type: 'space-changed' }],
    ['a NaN time', { ...base, at: Number.NaN, type: 'space-changed' }],
    ['a numeric space id', { ...base, spaceId: 7, type: 'space-changed' }],
    ['an unknown change', { ...base, type: 'spaces-changed', change: 'exploded' }],
    ['no page ids', { ...base, type: 'pages-changed', change: 'changed', pageIds: [] }],
    ['too many page ids', { ...base, type: 'pages-changed', change: 'changed', pageIds: Array.from({ length: MAX_EVENT_PAGE_IDS + 1 }, (_, i) => `p${i}`) }],
    ['a non-string page id', { ...base, type: 'pages-changed', change: 'deleted', pageIds: ['a', 3] }],
    ['a missing page id', { ...base, type: 'document-changed' }],
  ];
  for (const [what, input] of bad) {
    it(`refuses ${what} with a typed error`, () => {
      const e: unknown = (() => {
        try {
          parseDomainEvent(input);
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(PersistenceError);
      expect((e as PersistenceError).code).toBe(ErrorCode.InvalidUpdate);
    });
  }

  it('refuses a newer version with version-too-new', () => {
    expect(() => parseDomainEvent({ ...base, v: 2, type: 'space-changed' })).toThrow(expect.objectContaining({ code: ErrorCode.VersionTooNew }) as Error);
  });
});
