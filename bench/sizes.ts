/** The run's sizes: the full run (`npm run bench`) or the short one for CI (`BENCH_SHORT=1`). */
export interface Sizes {
  short: boolean;
  /** Samples per figure (the issue asks at least 20; short mode takes 3). */
  samples: number;
  /** Pages of the large space. */
  bigPages: number;
  /** Pages of the large space that get a body (a page document in the store). */
  bigBodies: number;
  /** Pages of the small space (every one has a typical body). */
  smallPages: number;
  /** Characters of the heavy page. */
  heavyChars: number;
  /** Keystrokes timed for the main-thread figure. */
  keystrokes: number;
  /** Seconds of typing for the transactions-per-second figure (one sample per second). */
  typingSeconds: number;
  /** Documents per batch in the peer comparison. */
  peerBatch: number;
  /** Samples of the whole-space read and delete (each reads or deletes every page). */
  wholeSpaceSamples: number;
  /** Saves timed per store for the keystroke-to-durable and two-pages-at-once rows (p95 needs many). */
  saves: number;
}

export function sizesFromEnv(env: NodeJS.ProcessEnv): Sizes {
  if (env.BENCH_SHORT === '1') {
    return { short: true, samples: 3, bigPages: 1000, bigBodies: 1000, smallPages: 60, heavyChars: 100_000, keystrokes: 20, typingSeconds: 3, peerBatch: 5, wholeSpaceSamples: 1, saves: 20 };
  }
  return { short: false, samples: 20, bigPages: 10_000, bigBodies: 10_000, smallPages: 100, heavyChars: 100_000, keystrokes: 100, typingSeconds: 20, peerBatch: 20, wholeSpaceSamples: 3, saves: 100 };
}
