/** Election and handover over the real in-process lock manager (navigator.locks semantics). */
import { describe, expect, it } from 'vitest';
import { InProcessTabLocks } from '../../tabs/InProcessTabLocks.ts';
import { LeaderElection, relayLeaderName } from './LeaderElection.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));
const NAME = relayLeaderName('ws://127.0.0.1:1');

function candidates(n: number, locks = new InProcessTabLocks()) {
  return Array.from({ length: n }, (_, i) => {
    const e = new LeaderElection(locks, NAME);
    const events: number[] = [];
    e.onLeading(() => events.push(i));
    return { e, events };
  });
}

describe('LeaderElection', () => {
  it('grants exactly one leader among the tabs of one profile', async () => {
    const cs = candidates(4);
    for (const c of cs) c.e.start();
    await tick();
    expect(cs.map((c) => c.e.leading)).toEqual([true, false, false, false]);
    expect(cs[0]!.events).toEqual([0]);
  });

  it('hands over, in request order, when the leader resigns (tab closed) and skips candidates that left', async () => {
    const locks = new InProcessTabLocks();
    const cs = candidates(3, locks);
    for (const c of cs) c.e.start();
    await tick();
    cs[1]!.e.resign(); // leaves the queue without ever leading
    cs[0]!.e.resign();
    await tick();
    expect(cs.map((c) => c.e.leading)).toEqual([false, false, true]);
    expect(cs[1]!.events).toEqual([]);
    cs[2]!.e.resign();
    await tick();
    expect(locks.isHeld(NAME)).toBe(false);
  });

  it('a tab whose lock is released by the browser (crash) is replaced without any message', async () => {
    const locks = new InProcessTabLocks();
    // The crashed tab is a bare lock holder: nothing of the election runs in it any more.
    const release = await locks.acquire(NAME);
    const [c] = candidates(1, locks);
    c!.e.start();
    await tick();
    expect(c!.e.leading).toBe(false);
    release();
    await tick();
    expect(c!.e.leading).toBe(true);
  });

  it('a resignation racing the grant gives the lock on, it is never kept', async () => {
    const locks = new InProcessTabLocks();
    const [a, b] = candidates(2, locks);
    a!.e.start();
    a!.e.resign(); // before the asynchronous grant ran
    b!.e.start();
    await tick();
    await tick();
    expect(a!.e.leading).toBe(false);
    expect(b!.e.leading).toBe(true);
  });

  it('different relay URLs elect independently', async () => {
    const locks = new InProcessTabLocks();
    const a = new LeaderElection(locks, relayLeaderName('ws://a'));
    const b = new LeaderElection(locks, relayLeaderName('ws://b'));
    a.start();
    b.start();
    await tick();
    expect([a.leading, b.leading]).toEqual([true, true]);
  });
});
