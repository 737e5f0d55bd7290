import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { fromIndexedDbError } from './fromIndexedDbError.ts';

const ctx = { layer: 'indexeddb', docId: 'p1' };
const quota = () => new DOMException('quota', 'QuotaExceededError');

describe('fromIndexedDbError', () => {
  it.each([
    ['a QuotaExceededError', quota(), ErrorCode.QuotaExceeded],
    ['a transaction whose error is QuotaExceededError', { error: quota() }, ErrorCode.QuotaExceeded],
    ['an abort Event whose target holds it', { type: 'abort', target: { error: quota() } }, ErrorCode.QuotaExceeded],
    ['a Dexie-style inner error', { name: 'AbortError', inner: { name: 'QuotaExceededError' } }, ErrorCode.QuotaExceeded],
    ['an Error with it as cause', new Error('write failed', { cause: quota() }), ErrorCode.QuotaExceeded],
    ['a lib0-style wrapped message', new Error('QuotaExceededError: the quota has been exceeded'), ErrorCode.QuotaExceeded],
    ["Firefox's legacy name", { name: 'NS_ERROR_DOM_QUOTA_REACHED' }, ErrorCode.QuotaExceeded],
    ['an InvalidStateError (closed or deleted database)', new DOMException('closed', 'InvalidStateError'), ErrorCode.StorageUnavailable],
    ['an AbortError (aborted transaction)', new DOMException('aborted', 'AbortError'), ErrorCode.StorageUnavailable],
    ['a NotFoundError (a database without our stores)', new DOMException('no store', 'NotFoundError'), ErrorCode.StorageUnavailable],
    ['an UnknownError', new DOMException('disk', 'UnknownError'), ErrorCode.StorageUnavailable],
    ['a SecurityError (IndexedDB disabled)', new DOMException('denied', 'SecurityError'), ErrorCode.StorageUnavailable],
    ['a DataError (invalid key)', new DOMException('bad key', 'DataError'), ErrorCode.InvalidOperation],
    ['something unknown', 'a string', ErrorCode.StorageUnavailable],
  ])('maps %s', (_label, error, code) => {
    const e = fromIndexedDbError(error, ctx);
    expect(e).toBeInstanceOf(PersistenceError);
    expect(e.code).toBe(code);
    expect(e.cause).toBe(error);
    expect(e).toMatchObject({ layer: 'indexeddb', docId: 'p1' });
  });

  it('passes PersistenceErrors through unchanged', () => {
    const original = new PersistenceError(ErrorCode.Closed, 'closed');
    expect(fromIndexedDbError(original, ctx)).toBe(original);
  });
});
