/**
 * The sentences a person reads when something failed name the cause that happened: the relay out of reach
 * is not "local storage is unavailable", and a joined space the relay does not have yet is not "No layer
 * holds a space with id <uuid>".
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError, SpaceError } from '../../core/errors.ts';
import { MemberCommandError } from '../../app/index.ts';
import { RelayRefusalError, SyncStopReason } from '../../protocol/closeReason.ts';
import { describeError, describeOpenError, openMayRetry } from './describeError.ts';

const notFound = (cause?: Error) => new SpaceError(ErrorCode.NotFound, 'No layer holds a space with id 6f1c', cause ? { cause } : undefined);
const refusal = (reason: Exclude<SyncStopReason, 'other'>) => new RelayRefusalError(reason, `relay: the relay stopped syncing .space: ${reason}`, { layer: 'relay', docId: '.space' });

describe('describeError', () => {
  it('says the relay cannot be reached, not that local storage is unavailable, for an unreachable relay', () => {
    const text = describeError(new MemberCommandError(ErrorCode.Unreachable, 'The relay is unreachable; try again when this device is online'));
    expect(text).toMatch(/relay cannot be reached/);
    expect(text).toMatch(/try again/i);
    expect(text).not.toMatch(/local storage/);
  });

  it('says the browser lacks what Quire needs, not local storage, for an unsupported browser', () => {
    const text = describeError(new PersistenceError(ErrorCode.Unsupported, 'This browser has no WebSocket, which Quire needs to reach the relay', { layer: 'relay' }));
    expect(text).toMatch(/This browser cannot do something Quire needs \(This browser has no WebSocket/);
    expect(text).toMatch(/up-to-date browser/);
    expect(text).not.toMatch(/local storage/);
  });

  it('still says local storage for a local store that failed', () => {
    expect(describeError(new PersistenceError(ErrorCode.StorageUnavailable, 'idb closed', { layer: 'indexeddb' }))).toMatch(/local storage is unavailable/);
  });
});

describe('describeOpenError', () => {
  it('a joined space the relay does not have yet: the owner has not synced it, Quire retries; no space id', () => {
    for (const e of [notFound(), notFound(refusal(SyncStopReason.Unauthorized))]) {
      const text = describeOpenError(e, 'editor');
      expect(text).toMatch(/has not reached the relay yet/);
      expect(text).toMatch(/owner/);
      expect(text).toMatch(/tries again by itself/);
      expect(text).not.toMatch(/6f1c|No layer/);
      expect(openMayRetry(e, 'editor')).toBe(true);
    }
  });

  it('a joined space while the relay is out of reach: names the relay, Quire retries', () => {
    for (const cause of [new PersistenceError(ErrorCode.Unreachable, 'relay: the relay is unreachable', { layer: 'relay' }), new PersistenceError(ErrorCode.Timeout, 'relay: loading took too long', { layer: 'relay' })]) {
      const e = notFound(cause);
      expect(describeOpenError(e, 'viewer')).toMatch(/relay that has it cannot be reached/);
      expect(openMayRetry(e, 'viewer')).toBe(true);
    }
  });

  it('a refusal waiting does not mend (revoked, expired) says why and is not retried', () => {
    const revoked = notFound(refusal(SyncStopReason.Revoked));
    expect(describeOpenError(revoked, 'editor')).toMatch(/could not be fetched from the relay: the owner revoked/);
    expect(openMayRetry(revoked, 'editor')).toBe(false);
    const expired = notFound(refusal(SyncStopReason.Expired));
    expect(describeOpenError(expired, 'editor')).toMatch(/expired\. Ask the owner for a new invite link/);
    expect(openMayRetry(expired, 'editor')).toBe(false);
  });

  it('a space this device does not sync and does not have: says so and what to do; not retried', () => {
    const e = notFound();
    expect(describeOpenError(e, null)).toMatch(/not on this device.*Pick a space/);
    expect(openMayRetry(e, null)).toBe(false);
  });

  it('any other failure reads as describeError says', () => {
    const e = new PersistenceError(ErrorCode.QuotaExceeded, 'full', { layer: 'indexeddb' });
    expect(describeOpenError(e, 'editor')).toBe(describeError(e));
    expect(openMayRetry(e, 'editor')).toBe(false);
  });
});
