import { describe, expect, it } from 'vitest';
import { PersistenceError, ErrorCode } from '../errors.ts';
import { SaveStatus } from './SaveStatus.ts';

describe('SaveStatus device part', () => {
  it('ignores a remote layer: a relay that has not stored a change, or is failing, leaves the device saved', () => {
    const s = new SaveStatus();
    s.addLayer('indexeddb', 'one-way');
    s.addLayer('relay:ws://x', 'two-way', true);
    s.setPending('relay:ws://x', 'a/p', 3);
    s.layerFailed('relay:ws://x', new PersistenceError(ErrorCode.StorageUnavailable, 'offline'), 'a/connection');
    let snap = s.snapshot();
    expect(snap.state).toBe('error');
    expect(snap.device).toEqual({ state: 'saved', pending: 0 });
    s.setPending('indexeddb', 'a/p', 2);
    snap = s.snapshot();
    expect(snap.device).toEqual({ state: 'saving', pending: 2 });
    s.layerFailed('indexeddb', new PersistenceError(ErrorCode.QuotaExceeded, 'full'), 'a/p');
    expect(s.snapshot().device.state).toBe('error');
  });
});
