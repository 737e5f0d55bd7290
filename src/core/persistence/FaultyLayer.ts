/**
 * Wraps a local store and injects faults, the way SQLite's test harness fails the k-th I/O: fail the k-th
 * write once or forever with a chosen error, fail loads, delay every operation, or drop writes (acknowledge
 * without storing, the way y-indexeddb 9 loses failed writes). Tests use it to prove that no acknowledged
 * edit is ever lost and every failure reaches the status API.
 *
 * Writes are save, setAside, deleteDoc, saveSecrets and destroy; they are counted from 1 across all docs.
 */
import { ErrorCode, PersistenceError } from '../errors.ts';
import type { DocId, LocalStore, RowKey, StoredRow } from './PersistenceLayer.ts';
import type { SecretStore, Secrets } from './SecretStore.ts';

export type FaultMode = 'once' | 'forever';

export interface FaultPlan {
  /** Fail the write numbered `at` (1-based); with 'forever', that write and every later one fail until `heal()`. */
  failWrite?: { at: number; mode: FaultMode; code?: ErrorCode };
  /** Fail the load numbered `at` (1-based). */
  failLoad?: { at: number; mode: FaultMode; code?: ErrorCode };
  /** Acknowledge the write numbered `at` without storing it. */
  dropWrite?: { at: number; mode: FaultMode };
  /** Awaited before every operation (inject a timer here; the core has none of its own). */
  delay?: () => Promise<void>;
}

export class FaultyLayer implements LocalStore, SecretStore {
  readonly direction = 'one-way' as const;
  readonly name: string;
  /** Writes attempted so far (including failed and dropped ones). */
  writes = 0;
  loads = 0;
  /** Writes that were made to fail. */
  failedWrites = 0;
  private healed = false;

  constructor(
    readonly inner: LocalStore & SecretStore,
    public plan: FaultPlan = {},
  ) {
    this.name = inner.name;
  }

  /** Ends a 'forever' fault (the user freed space, the database came back). */
  heal(): void {
    this.healed = true;
  }

  private hits(rule: { at: number; mode: FaultMode } | undefined, n: number): boolean {
    if (!rule || this.healed) return false;
    return rule.mode === 'once' ? n === rule.at : n >= rule.at;
  }

  private async write(docId: DocId | undefined, body: () => Promise<void>): Promise<void> {
    const n = ++this.writes;
    await this.plan.delay?.();
    if (this.hits(this.plan.failWrite, n)) {
      this.failedWrites++;
      const code = this.plan.failWrite?.code ?? ErrorCode.QuotaExceeded;
      throw new PersistenceError(code, `${this.name}: injected failure of write ${n} (${code})`, { layer: this.name, docId });
    }
    if (this.hits(this.plan.dropWrite, n)) return;
    await body();
  }

  async load(docId: DocId): Promise<StoredRow[]> {
    const n = ++this.loads;
    await this.plan.delay?.();
    if (this.hits(this.plan.failLoad, n)) {
      const code = this.plan.failLoad?.code ?? ErrorCode.StorageUnavailable;
      throw new PersistenceError(code, `${this.name}: injected failure of load ${n} (${code})`, { layer: this.name, docId });
    }
    return this.inner.load(docId);
  }

  save(docId: DocId, update: Uint8Array): Promise<void> {
    return this.write(docId, () => this.inner.save(docId, update));
  }
  setAside(docId: DocId, keys: readonly RowKey[]): Promise<void> {
    return this.write(docId, () => this.inner.setAside(docId, keys));
  }
  deleteDoc(docId: DocId): Promise<void> {
    return this.write(docId, () => this.inner.deleteDoc(docId));
  }
  async listDocs(): Promise<DocId[]> {
    await this.plan.delay?.();
    return this.inner.listDocs();
  }
  async loadSecrets(): Promise<Secrets> {
    await this.plan.delay?.();
    return this.inner.loadSecrets();
  }
  saveSecrets(secrets: Secrets): Promise<void> {
    return this.write(undefined, () => this.inner.saveSecrets(secrets));
  }
  destroy(): Promise<void> {
    return this.write(undefined, () => this.inner.destroy());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  onError(listener: (error: PersistenceError) => void): () => void {
    return this.inner.onError?.(listener) ?? (() => undefined);
  }
}
