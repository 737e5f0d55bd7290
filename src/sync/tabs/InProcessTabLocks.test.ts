import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { InProcessTabLocks } from './InProcessTabLocks.ts';
import { tabLockName } from './TabLocks.ts';
import { TabPresence } from './TabPresence.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('InProcessTabLocks', () => {
  it('grants an exclusive lock, queues later requests in order, and hands over on release', async () => {
    const locks = new InProcessTabLocks();
    const order: string[] = [];
    const first = await locks.acquire('l');
    const second = locks.acquire('l').then((release) => (order.push('second'), release));
    const third = locks.acquire('l').then((release) => (order.push('third'), release));
    await tick();
    expect(order).toEqual([]);
    first();
    first(); // releasing twice is harmless: it must not let the third in early
    const releaseSecond = await second;
    await tick();
    expect(order).toEqual(['second']);
    releaseSecond();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(locks.isHeld('l')).toBe(false);
  });

  it('cancels a queued request when its signal aborts, with a typed error, and skips it at release', async () => {
    const locks = new InProcessTabLocks();
    const release = await locks.acquire('l');
    const ctrl = new AbortController();
    const cancelled = locks.acquire('l', ctrl.signal);
    const next = locks.acquire('l');
    ctrl.abort();
    const e: unknown = await cancelled.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PersistenceError);
    expect((e as PersistenceError).code).toBe(ErrorCode.Closed);
    release();
    (await next)();
    expect(locks.isHeld('l')).toBe(false);
  });

  it('tells a waiting tab that another tab is gone when that tab lets go of its lifetime lock', async () => {
    const locks = new InProcessTabLocks();
    const a = await TabPresence.claim(locks, 'tab-a');
    expect(locks.isHeld(tabLockName('tab-a'))).toBe(true);
    let gone = false;
    void locks.acquire(tabLockName(a.id)).then((release) => {
      gone = true;
      release();
    });
    await tick();
    expect(gone).toBe(false);
    a.release();
    await tick();
    expect(gone).toBe(true);
    expect(a.released).toBe(true);
  });
});
