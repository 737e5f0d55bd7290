/**
 * Unit test of the bench's statistics. vitest.config.ts does not include bench/ (the bench is not part of
 * the test suite), so this runs with Node's own runner: `node --import tsx --test bench/stats.test.ts`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarize } from './stats.ts';

void test('nearest-rank percentiles of 1..20', () => {
  const samples = Array.from({ length: 20 }, (_, i) => 20 - i); // unsorted on purpose
  assert.equal(percentile(samples, 50), 10);
  assert.equal(percentile(samples, 95), 19);
  assert.equal(percentile(samples, 100), 20);
});

void test('one sample is its own p50 and p95', () => {
  assert.deepEqual(summarize([3.5]), { n: 1, p50: 3.5, p95: 3.5, min: 3.5, max: 3.5 });
});

void test('refuses empty input and out-of-range percentiles', () => {
  assert.throws(() => percentile([], 50), /no samples/);
  assert.throws(() => percentile([1], 0), /out of range/);
});
