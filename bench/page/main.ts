/**
 * The bench page: raw baselines, the peer, and Quire's own storage paths, exposed as `window.bench` for the
 * runner (bench/run.ts), which calls them through Playwright. Never part of the app's build.
 */
import * as baselines from './baselines.ts';
import * as peer from './peer.ts';
import { seedSpace, seedStore } from './seed.ts';
import * as spaceOps from './spaceOps.ts';
import * as storeOps from './storeOps.ts';
import * as upgradeOps from './upgradeOps.ts';

const bench = { baselines, peer, seedSpace, seedStore, spaceOps, storeOps, upgradeOps, ready: true };
export type BenchApi = typeof bench;
(globalThis as { bench?: BenchApi }).bench = bench;
