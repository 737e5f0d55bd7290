import { expect } from 'vitest';
import { PersistenceError } from '../errors.ts';

/** Awaits `p`, which must reject with a PersistenceError, and returns that error for the test to inspect. */
export async function rejection(p: Promise<unknown>): Promise<PersistenceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PersistenceError);
  return e as PersistenceError;
}
