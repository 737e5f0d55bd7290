import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../errors.ts';
import { fromDexieError } from './fromDexieError.ts';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('fromDexieError', () => {
  it('finds a quota error wherever Dexie put it', () => {
    expect(fromDexieError(quota()).code).toBe(ErrorCode.QuotaExceeded);
    expect(fromDexieError(new Dexie.AbortError('aborted', quota())).code).toBe(ErrorCode.QuotaExceeded);
    expect(fromDexieError(new Dexie.BulkError('bulk', [quota()])).code).toBe(ErrorCode.QuotaExceeded);
    expect(fromDexieError(new Error('x', { cause: quota() })).code).toBe(ErrorCode.QuotaExceeded);
  });

  it('maps the other failures', () => {
    expect(fromDexieError(new Dexie.DatabaseClosedError()).code).toBe(ErrorCode.StorageUnavailable);
    expect(fromDexieError(new Dexie.OpenFailedError('x')).code).toBe(ErrorCode.StorageUnavailable);
    expect(fromDexieError(new Dexie.ConstraintError('dup')).code).toBe(ErrorCode.InvalidOperation);
    expect(fromDexieError(new Dexie.AbortError('aborted', new Dexie.ConstraintError('dup'))).code).toBe(ErrorCode.InvalidOperation);
    expect(fromDexieError(new DOMException('v', 'VersionError')).code).toBe(ErrorCode.VersionTooNew);
    expect(fromDexieError('weird').code).toBe(ErrorCode.StorageUnavailable);
  });

  it('keeps a PersistenceError and the cause, and names the action', () => {
    const original = new PersistenceError(ErrorCode.Forbidden, 'no');
    expect(fromDexieError(original)).toBe(original);
    const cause = quota();
    const mapped = fromDexieError(cause, { action: 'save a tab' });
    expect(mapped.cause).toBe(cause);
    expect(mapped.layer).toBe('dexie');
    expect(mapped.message).toMatch(/^save a tab failed: /);
  });
});
