/**
 * Helpers shared by the convergence fuzzes: random titles and pages to aim commands at, a runner for
 * commands that may be refused, and the refusal a move must meet.
 */
import { ErrorCode, SpaceError } from '../errors.ts';
import type { Space } from '../space/Space.ts';
import type { Prng } from './prng.ts';

export function randomTitle(rng: Prng): string {
  return rng.pick(['', 'Notes', 'Todo', 'Ideas', 'Plan', 'Log', 'Café', '日本']) + (rng.chance(0.5) ? String(rng.int(100)) : '');
}

/** A random known page id, sometimes an unknown one to exercise 'not-found'. */
export function pickPage(rng: Prng, space: Space): string {
  const pages = space.listPages();
  if (pages.length === 0 || rng.chance(0.03)) return 'unknown-page';
  return rng.pick(pages).id;
}

/** Runs a command that may be refused; a refusal must be a SpaceError with the expected code. */
export function attempt(fn: () => void, expected: ErrorCode | null, what: string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SpaceError)) throw e;
    if (e.code !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${e.code} (${e.message})`, { cause: e });
    return;
  }
  if (expected !== null) throw new Error(`${what}: expected a SpaceError ${expected}, but it succeeded`);
}

/** The error code `space.movePage(id, parentId, _)` must refuse with, or null when the move is valid. */
export function expectedMoveError(space: Space, id: string, parentId: string | null): ErrorCode | null {
  const page = space.getPage(id);
  if (!page) return ErrorCode.NotFound;
  if (page.inTrash) return ErrorCode.InvalidOperation;
  if (parentId === null) return null;
  const parent = space.getPage(parentId);
  if (!parent) return ErrorCode.NotFound;
  if (parent.inTrash) return ErrorCode.InvalidOperation;
  if (parentId === id || space.ancestors(parentId).some((a) => a.id === id)) return ErrorCode.InvalidOperation;
  return null;
}
