import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type PersistenceError } from '../../core/errors.ts';
import type { DomainEvent } from '../../core/events/DomainEvent.ts';
import { DOMAIN_EVENT_CHANNEL, DomainEventChannel } from './DomainEventChannel.ts';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
function channel(tab: string): DomainEventChannel {
  const c = new DomainEventChannel(tab, () => 42);
  open.push(c);
  return c;
}

describe('DomainEventChannel', () => {
  it('delivers validated events to the other tabs, with source and time', async () => {
    const a = channel('tab-a');
    const b = channel('tab-b');
    const seen: DomainEvent[] = [];
    b.subscribe((e) => seen.push(e));
    const own = vi.fn();
    a.subscribe(own);
    a.publish({ type: 'spaces-changed', change: 'deleted', spaceId: 's1' });
    await vi.waitFor(() => expect(seen).toEqual([{ v: 1, source: 'tab-a', at: 42, type: 'spaces-changed', change: 'deleted', spaceId: 's1' }]));
    expect(own).not.toHaveBeenCalled();
  });

  it('refuses to broadcast an invalid event', async () => {
    const a = channel('tab-a');
    const b = channel('tab-b');
    const seen = vi.fn();
    b.subscribe(seen);
    expect(() => a.publish({ type: 'pages-changed', change: 'deleted', spaceId: 's1', pageIds: [] })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidUpdate }) as Error);
    a.publish({ type: 'space-changed', spaceId: 's1' }); // a valid one after it, as a marker
    await vi.waitFor(() => expect(seen).toHaveBeenCalledTimes(1));
    expect(seen).toHaveBeenCalledWith(expect.objectContaining({ type: 'space-changed' }));
  });

  it('never acts on a malformed message from a tab running other code; reports it typed', async () => {
    const b = channel('tab-b');
    const seen = vi.fn();
    const invalid: PersistenceError[] = [];
    b.subscribe(seen);
    b.onInvalid((e) => invalid.push(e));
    const raw = new BroadcastChannel(DOMAIN_EVENT_CHANNEL);
    open.push(raw);
    raw.postMessage({ v: 1, source: 'evil', at: 1, type: 'spaces-changed', change: 'deleted' }); // no spaceId
    raw.postMessage('not even an object');
    raw.postMessage({ v: 9, source: 'future', at: 1, type: 'space-changed', spaceId: 's' });
    await vi.waitFor(() => expect(invalid.map((e) => e.code)).toEqual([ErrorCode.InvalidUpdate, ErrorCode.InvalidUpdate, ErrorCode.VersionTooNew]));
    expect(seen).not.toHaveBeenCalled();
  });
});
