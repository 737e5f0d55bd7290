import { describe, expect, it } from 'vitest';
import { SPACE_DOC_ID } from '../../core/persistence/PersistenceLayer.ts';
import { docIdFromDbName, pageDbName, pageDbOf, spaceDbPrefix } from './naming.ts';

describe('page database names', () => {
  it('is the plain quire:<space>:<doc> for ordinary ids, and the space document is "space"', () => {
    expect(pageDbName('s1', 'page-42')).toBe('quire:s1:page-42');
    expect(pageDbName('s1', SPACE_DOC_ID)).toBe('quire:s1:space');
    expect(spaceDbPrefix('s1')).toBe('quire:s1:');
  });

  it('keeps ids containing ":" apart', () => {
    expect(pageDbName('a', 'b:c')).not.toBe(pageDbName('a:b', 'c'));
    expect(docIdFromDbName('a', pageDbName('a:b', 'c'))).toBeNull();
    expect(docIdFromDbName('a:b', pageDbName('a', 'b:c'))).toBeNull();
  });

  it('round-trips any id and refuses names it never produces', () => {
    for (const id of ['p1', 'b:c', 'ünï cødé/%', SPACE_DOC_ID]) expect(docIdFromDbName('s', pageDbName('s', id))).toBe(id);
    for (const name of ['quire:s:', 'quire:s:a:b', 'quire:s:%zz', 'quire:s:%41', 'quire:t:p1', 'other', 'quire:s']) {
      expect(docIdFromDbName('s', name)).toBeNull();
    }
  });

  it('refuses empty ids', () => {
    expect(() => pageDbName('', 'p')).toThrow();
    expect(() => pageDbName('s', '')).toThrow();
  });

  it('names the space and document of any page database, and nothing else', () => {
    for (const [space, doc] of [['s1', 'p1'], ['a:b', 'c'], ['a', 'b:c'], ['ünï', SPACE_DOC_ID]] as const) {
      expect(pageDbOf(pageDbName(space, doc))).toEqual({ spaceId: space, docId: doc });
    }
    for (const name of ['quire', 'quire:s1', 'quire:s1:', 'quire::p', 'quire:s:a:b', 'quire:%zz:p', 'quire:%41:p', 'other:s:p']) {
      expect(pageDbOf(name)).toBeNull();
    }
  });
});
