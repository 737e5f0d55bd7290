/** Unit test of the bench's statistics (runs in `npm test`: the figures the bench reports depend on it). */
import { expect, test } from 'vitest';
import { percentile, summarize } from './stats.ts';

test('nearest-rank percentiles of 1..20', () => {
  const samples = Array.from({ length: 20 }, (_, i) => 20 - i); // unsorted on purpose
  expect(percentile(samples, 50)).toBe(10);
  expect(percentile(samples, 95)).toBe(19);
  expect(percentile(samples, 100)).toBe(20);
});

test('one sample is its own p50 and p95', () => {
  expect(summarize([3.5])).toEqual({ n: 1, p50: 3.5, p95: 3.5, min: 3.5, max: 3.5 });
});

test('refuses empty input and out-of-range percentiles', () => {
  expect(() => percentile([], 50)).toThrow(/no samples/);
  expect(() => percentile([1], 0)).toThrow(/out of range/);
});
