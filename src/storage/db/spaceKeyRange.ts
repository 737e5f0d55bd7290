import { Dexie } from 'dexie';

/** Lower and upper bound of every compound key [spaceId, ...] of one space, for `between(lower, upper, true, true)`. */
export function spaceKeyRange(spaceId: string): [lower: [string, unknown], upper: [string, unknown]] {
  return [
    [spaceId, Dexie.minKey],
    [spaceId, Dexie.maxKey],
  ];
}
