/**
 * A local store that keeps everything in memory, secrets included. It is the reference implementation of
 * the LocalStore and SecretStore contracts, the store of tests, and the model a relay's storage is checked
 * against.
 *
 * `MemoryStore` is the "disk": several MemoryLayer instances (one per open of a space) can share it, which
 * is how tests simulate closing a space and reopening it from storage.
 */
import { ErrorCode, PersistenceError } from '../errors.ts';
import type { DocId, LocalStore, RowKey, StoredRow } from './PersistenceLayer.ts';
import type { SecretStore, Secrets } from './SecretStore.ts';

interface MemoryDoc {
  rows: Map<number, Uint8Array>;
  setAside: Map<number, Uint8Array>;
}

/** What survives a "restart": the stored rows of every space. */
export class MemoryStore {
  readonly spaces = new Map<string, { docs: Map<DocId, MemoryDoc>; secrets: Record<string, string> }>();
  private nextKey = 1;
  space(spaceId: string) {
    let s = this.spaces.get(spaceId);
    if (!s) this.spaces.set(spaceId, (s = { docs: new Map(), secrets: {} }));
    return s;
  }
  key(): number {
    return this.nextKey++;
  }
}

export class MemoryLayer implements LocalStore, SecretStore {
  readonly direction = 'one-way' as const;
  private closed = false;

  constructor(
    readonly spaceId: string,
    readonly store: MemoryStore = new MemoryStore(),
    readonly name = 'memory',
  ) {}

  private space() {
    if (this.closed) throw new PersistenceError(ErrorCode.Closed, `${this.name}: layer is closed`, { layer: this.name });
    return this.store.space(this.spaceId);
  }

  private doc(docId: DocId, create: boolean): MemoryDoc | undefined {
    const docs = this.space().docs;
    let d = docs.get(docId);
    if (!d && create) docs.set(docId, (d = { rows: new Map(), setAside: new Map() }));
    return d;
  }

  load(docId: DocId): Promise<StoredRow[]> {
    return run(() => [...(this.doc(docId, false)?.rows ?? new Map<number, Uint8Array>())].map(([key, update]) => ({ key, update: update.slice() })));
  }

  save(docId: DocId, update: Uint8Array): Promise<void> {
    // Copy: the caller may reuse its buffer, and what is stored must not change after the acknowledgement.
    return run(() => void this.doc(docId, true)!.rows.set(this.store.key(), update.slice()));
  }

  setAside(docId: DocId, keys: readonly RowKey[]): Promise<void> {
    return run(() => {
      const d = this.doc(docId, false);
      if (!d) return;
      for (const k of keys) {
        const row = d.rows.get(Number(k));
        if (row) {
          d.setAside.set(Number(k), row);
          d.rows.delete(Number(k));
        }
      }
    });
  }

  /** Rows set aside for a document (tests and repair tools read them). */
  setAsideRows(docId: DocId): Uint8Array[] {
    return [...(this.store.space(this.spaceId).docs.get(docId)?.setAside.values() ?? [])];
  }

  deleteDoc(docId: DocId): Promise<void> {
    return run(() => void this.space().docs.delete(docId));
  }

  listDocs(): Promise<DocId[]> {
    return run(() => [...this.space().docs].filter(([, d]) => d.rows.size > 0 || d.setAside.size > 0).map(([id]) => id));
  }

  loadSecrets(): Promise<Secrets> {
    return run(() => ({ ...this.space().secrets }));
  }

  saveSecrets(secrets: Secrets): Promise<void> {
    return run(() => void Object.assign(this.space().secrets, secrets));
  }

  destroy(): Promise<void> {
    return run(() => {
      this.space();
      this.store.spaces.delete(this.spaceId);
      this.closed = true;
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Runs a synchronous body as an asynchronous acknowledgement: errors become rejections. */
function run<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
