/**
 * What the Space tests (src/core/space/Space*.test.ts) share: documents with chosen Yjs client ids, spaces
 * on a ticking clock, in-sync replicas, a reliable sync round, and small readers of what a space reports.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import { SpaceError, type ErrorCode } from '../errors.ts';
import { Space } from '../space/Space.ts';
import type { ChangeOrigin, PageChange } from '../space/Space.ts';

let nextClient = 100;
/** A document with a chosen Yjs client id (a fresh one by default), so ties between replicas are repeatable. */
export function newDoc(clientID = nextClient++): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  return doc;
}
/** A clock that ticks one millisecond per reading, from `start`. */
export function clock(start = 1_000): () => number {
  let t = start;
  return () => ++t;
}
export function newSpace(clientID?: number): Space {
  return Space.create(newDoc(clientID), { id: 's1', name: 'Space', now: clock() });
}
/** A second replica of `space`, already in sync with it. */
export function replicaOf(space: Space, clientID?: number): Space {
  const doc = newDoc(clientID);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(space.doc), 'sync');
  return new Space(doc, { id: space.id, now: clock(5_000) });
}
/** Exchanges everything both ways, like a sync round over a reliable network. */
export function sync(...spaces: Space[]): void {
  for (const a of spaces) for (const b of spaces) if (a !== b) Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)), 'sync');
}
export function titles(space: Space, parent: string | null): string[] {
  return space.children(parent).map((p) => p.title);
}
export function expectSpaceError(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(SpaceError);
  expect((thrown as SpaceError).code).toBe(code);
}
/** Every change `space` reports from now on, with the origin of each batch. */
export function record(space: Space): { changes: PageChange[]; origins: ChangeOrigin[] } {
  const log = { changes: [] as PageChange[], origins: [] as ChangeOrigin[] };
  space.observe((changes, origin) => {
    log.changes.push(...changes);
    log.origins.push(origin);
  });
  return log;
}
