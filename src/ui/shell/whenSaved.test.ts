import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { SaveStatus } from '../../core/manager/SaveStatus.ts';
import { whenSaved } from './whenSaved.ts';

const settled = (p: Promise<unknown>) => Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise((r) => setTimeout(() => r('waiting'), 10))]);

describe('whenSaved', () => {
  it('resolves at once when nothing is pending', async () => {
    const status = new SaveStatus();
    status.addLayer('local', 'one-way');
    expect(await settled(whenSaved(status))).toBe('resolved');
  });

  it('waits through pending changes and a failing layer, and resolves only when all is acknowledged', async () => {
    const status = new SaveStatus();
    status.addLayer('local', 'one-way');
    status.setPending('local', 'doc', 2);
    const wait = whenSaved(status);
    expect(await settled(wait)).toBe('waiting');
    status.layerFailed('local', new PersistenceError(ErrorCode.QuotaExceeded, 'full'), 'doc');
    status.setPending('local', 'doc', 0); // nothing pending, but the layer is failing: its backlog is in memory
    expect(await settled(wait)).toBe('waiting');
    status.setPending('local', 'doc', 1);
    status.layerRecovered('local', 'doc');
    expect(await settled(wait)).toBe('waiting');
    status.setPending('local', 'doc', 0);
    expect(await settled(wait)).toBe('resolved');
  });

  it('stops waiting when aborted', async () => {
    const status = new SaveStatus();
    status.addLayer('local', 'one-way');
    status.setPending('local', 'doc', 1);
    const abort = new AbortController();
    const wait = whenSaved(status, abort.signal);
    abort.abort();
    expect(await settled(wait)).toBe('rejected');
  });
});
