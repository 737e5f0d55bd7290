/**
 * The scaffold every seeded fuzz suite shares: seeds run in batches (one `it` per batch, so a slow batch
 * shows where), every failing seed is collected with its message and printed with how to replay it, and
 * three environment knobs: FUZZ_SEED=n replays one seed, FUZZ_RUNS=n sets the count, EXTENSIVE=1 runs the
 * long variant. `after` adds the suite's own checks (coverage) inside the same describe.
 */
import { describe, expect, it } from 'vitest';

export interface SeededSuite {
  name: string;
  /** Runs one seed; throws (or rejects) on failure. Messages that name the seed are kept as they are. */
  run(seed: number): void | Promise<void>;
  defaultRuns: number;
  extensiveRuns: number;
  /** Seeds per `it`. */
  batch: number;
  after?(runs: number): void;
}

export function seededSuite(s: SeededSuite): void {
  const env = process.env;
  describe(s.name, () => {
    const only = env.FUZZ_SEED;
    if (only !== undefined) {
      it(`seed ${only}`, () => s.run(Number(only)));
      return;
    }
    const runs = env.FUZZ_RUNS ? Number(env.FUZZ_RUNS) : env.EXTENSIVE === '1' ? s.extensiveRuns : s.defaultRuns;
    for (let start = 1; start <= runs; start += s.batch) {
      const seeds = Array.from({ length: Math.min(s.batch, runs - start + 1) }, (_, i) => start + i);
      it(`seeds ${seeds[0]}-${seeds[seeds.length - 1]}`, async () => {
        const failures: string[] = [];
        for (const seed of seeds) {
          try {
            await s.run(seed);
          } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            failures.push(message.includes(`seed ${seed}`) ? message : `seed ${seed}: ${message}`);
          }
        }
        expect(failures, `failing seeds (replay one with FUZZ_SEED=<seed>):\n${failures.join('\n')}`).toEqual([]);
      });
    }
    s.after?.(runs);
  });
}
