import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { toPersistenceError } from './toPersistenceError.ts';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('toPersistenceError', () => {
  it('finds a quota error wherever Dexie put it', () => {
    expect(toPersistenceError(quota()).code).toBe(ErrorCode.QuotaExceeded);
    expect(toPersistenceError(new Dexie.AbortError('aborted', quota())).code).toBe(ErrorCode.QuotaExceeded);
    expect(toPersistenceError(new Dexie.BulkError('bulk', [quota()])).code).toBe(ErrorCode.QuotaExceeded);
    expect(toPersistenceError(new Error('x', { cause: quota() })).code).toBe(ErrorCode.QuotaExceeded);
  });

  it('maps the other failures', () => {
    expect(toPersistenceError(new Dexie.DatabaseClosedError()).code).toBe(ErrorCode.StorageUnavailable);
    expect(toPersistenceError(new Dexie.OpenFailedError('x')).code).toBe(ErrorCode.StorageUnavailable);
    expect(toPersistenceError(new Dexie.ConstraintError('dup')).code).toBe(ErrorCode.InvalidOperation);
    expect(toPersistenceError(new Dexie.AbortError('aborted', new Dexie.ConstraintError('dup'))).code).toBe(ErrorCode.InvalidOperation);
    expect(toPersistenceError(new DOMException('v', 'VersionError')).code).toBe(ErrorCode.VersionTooNew);
    expect(toPersistenceError('weird').code).toBe(ErrorCode.StorageUnavailable);
  });

  it('keeps a PersistenceError and the cause, and names the action', () => {
    const original = new PersistenceError(ErrorCode.Forbidden, 'no');
    expect(toPersistenceError(original)).toBe(original);
    const cause = quota();
    const mapped = toPersistenceError(cause, { action: 'save a tab' });
    expect(mapped.cause).toBe(cause);
    expect(mapped.layer).toBe('dexie');
    expect(mapped.message).toMatch(/^save a tab failed: /);
  });
});
