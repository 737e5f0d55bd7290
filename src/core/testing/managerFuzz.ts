/**
 * The parts of the manager convergence fuzz (managerConvergence.test.ts) that its world and its regression
 * tests share: the knobs, a settle, a replica's state, what a run can exercise, and the "was an
 * acknowledged edit lost" check.
 */
import * as Y from 'yjs';
import type { SpaceHandle, PageHandle } from '../manager/SpaceHandle.ts';
import type { SpaceManager } from '../manager/SpaceManager.ts';
import type { MemoryStore } from '../persistence/MemoryLayer.ts';
import type { DocId } from '../persistence/PersistenceLayer.ts';
import type { PageRecord } from '../space/Space.ts';
import type { DeferredLayer } from './SimNetwork.ts';

// Test-only knobs (the manager fuzz only ever runs under Vitest in Node).
export const ENV = process.env;
/** Replicas in every run. */
export const REPLICAS = 3;
/** The one space every replica opens. */
export const SPACE_ID = 'fuzz-space';
/** Manager timings in ManualClock ticks: short, so a run's writes and retries happen within a few steps. */
export const FAST = { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 };
/**
 * Pages deleted elsewhere are released (as the editor does) at the end of the step, driven to completion
 * while nothing arrives. FUZZ_EAGER_RELEASE=1 releases them at once, in the background, while the network
 * keeps delivering: that hits the bug of the release-race regressions
 * (managerConvergence.regressions.test.ts) (a flush during a release rejects).
 */
export const EAGER_RELEASE = ENV.FUZZ_EAGER_RELEASE === '1';
/**
 * By default the network answers follows from the relay and from the other replicas' live documents, and
 * healing exchanges between replicas directly. FUZZ_RELAY_ONLY=1 answers from the relay only and heals
 * through the relay only, as a real relay would: that hits the gap of the crash-before-send regression
 * (managerConvergence.regressions.test.ts) (what
 * a replica stored but never sent before a crash never reaches the others).
 */
export const RELAY_ONLY = ENV.FUZZ_RELAY_ONLY === '1';
/** Rounds of the drive loop before an operation counts as hung. */
export const DRIVE_LIMIT = 200;

/** Lets every queued promise reaction run (the core has no timers of its own besides the ManualClock). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface Replica {
  readonly index: number;
  /** The replica's disk: what survives a restart. */
  readonly store: MemoryStore;
  manager: SpaceManager | null;
  /** The local store layer of the current open (its writes land when committed). */
  disk: DeferredLayer | null;
  handle: SpaceHandle | null;
  /** Page documents open in the current handle (with their client id assigned). */
  readonly pages: Map<string, PageHandle>;
  readonly opening: Map<string, Promise<void>>;
  /** Pages deleted elsewhere, to release at the end of the step. */
  releases: PageHandle[];
  unobserve: (() => void) | null;
  /** State (state vector and delete set) of each document when the last flush that resolved was called. */
  readonly acked: Map<DocId, Y.Snapshot>;
  downUntil: number;
  /** What to check when the replica comes back up. */
  comeback: null | { kind: 'crash' } | { kind: 'clean'; pages: PageRecord[]; texts: Map<string, string>; states: Map<DocId, Y.Snapshot> };
}

/** Runs counted by what they exercised (each at least once in the run). */
export interface Coverage {
  runs: number;
  crashes: number;
  /** Crashes after which at least one acknowledged page text was checked. */
  crashPageChecks: number;
  cleanRestarts: number;
  /** Clean restarts compared exactly (no snapshot load in between). */
  exactReopens: number;
  /** Sends lost because their replica crashed before the network accepted them. */
  lostInCrash: number;
  /** Local writes lost because their replica crashed before they were committed. */
  lostWrites: number;
  deletes: number;
  drops: number;
  duplicates: number;
  followAnswers: number;
  snapshots: number;
  loadFailures: number;
  contents: number;
}

/**
 * What `acked` holds that `got` does not, as text, or null when `got` contains it: every client clock of
 * `got` is at least the acknowledged one (insertions) and every acknowledged deletion is deleted in `got`.
 */
export function lostFrom(got: Y.Snapshot, acked: Y.Snapshot): string | null {
  const missing: string[] = [];
  for (const [client, clock] of acked.sv) if ((got.sv.get(client) ?? 0) < clock) missing.push(`client ${client}: clock ${got.sv.get(client) ?? 0} < ${clock}`);
  for (const [client, items] of acked.ds.clients) {
    const undeleted = items.find((item) => Array.from({ length: item.len }, (_, i) => item.clock + i).some((clock) => !Y.isDeleted(got.ds, Y.createID(client, clock))));
    if (undeleted) missing.push(`deletion of ${client}:${undeleted.clock}..${undeleted.clock + undeleted.len - 1}`);
  }
  return missing.length > 0 ? missing.join(', ') : null;
}
