/** One row of the bench table: a figure's samples, the baseline it is judged against, and its goal. */
export interface Figure {
  /** The workload this row reports (the table's first column). */
  workload: string;
  /** What was timed or counted. */
  what: string;
  unit: 'ms' | 'tx/s' | 'KiB' | 'ms/MiB' | 'µs';
  samples: number[];
  baseline?: { what: string; samples: number[] };
  /** The budget as the issue words it. */
  budget: string;
  /**
   * Machine-checkable part of the budget; absent when the row is only reported. `addedP95`: the most the row's p95
   * may exceed its baseline's p95, in the row's unit.
   */
  goal?: { ratioP50?: number; p95?: number; p50?: number; addedP95?: number };
  /** Why the row has no samples yet (it stays in the table). */
  pending?: string;
  /** Context a reader needs for the number (sample count, sizes). */
  note?: string;
}
