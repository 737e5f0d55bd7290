import { describe, expect, it } from 'vitest';
import { formatBytes } from './formatBytes.ts';

describe('formatBytes', () => {
  it('uses decimal units with one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3_200_000)).toBe('3.2 MB');
    expect(formatBytes(1_100_000_000)).toBe('1.1 GB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(12_345)).toBe('12.3 kB');
  });
});
