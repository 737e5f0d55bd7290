import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.ts';
import { canonicalJson } from './canonicalJson.ts';
import { canonicalEventBytes, GENESIS_HASH, hashEvent, type UnhashedEvent } from './eventHash.ts';

const event: UnhashedEvent = {
  spaceId: 's',
  seq: 1,
  ts: 1700000000000,
  actor: 'user',
  entityType: 'page',
  entityId: 'p',
  type: 'page.renamed',
  payload: { previousTitle: 'Ä', page: { title: 'é "q"', icon: null, trashed: false }, n: -0.5 },
  prevHash: GENESIS_HASH,
};

describe('event hash', () => {
  it('hashes the exact canonical encoding', () => {
    const text = new TextDecoder().decode(canonicalEventBytes(event));
    expect(text).toBe(
      '["quire-event-v1","s",1,1700000000000,"user","page","p","page.renamed",' +
        '{"n":-0.5,"page":{"icon":null,"title":"é \\"q\\"","trashed":false},"previousTitle":"Ä"},' +
        `"${'0'.repeat(64)}"]`,
    );
    expect(hashEvent(event)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect(hashEvent(event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order, and changes with any field', () => {
    const reordered = { ...event, payload: { n: -0.5, previousTitle: 'Ä', page: { trashed: false, icon: null, title: 'é "q"' } } };
    expect(hashEvent(reordered)).toBe(hashEvent(event));
    for (const change of [{ seq: 2 }, { ts: 1 }, { actor: 'remote' as const }, { entityId: 'q' }, { prevHash: 'f'.repeat(64) }, { payload: {} }]) {
      expect(hashEvent({ ...event, ...change })).not.toBe(hashEvent(event));
    }
  });

  it('refuses values JSON would silently change', () => {
    for (const bad of [{ a: undefined }, { a: NaN }, { a: Infinity }, { a: new Date(0) }, { a: 1n }, { a: () => 1 }]) {
      expect(() => canonicalJson(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOperation }) as Error);
    }
    expect(canonicalJson({ b: [1, 'x', { d: null, c: true }], a: -0 })).toBe('{"a":0,"b":[1,"x",{"c":true,"d":null}]}');
  });
});
