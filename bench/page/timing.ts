/** Sampling helpers shared by the bench page's workloads. */

/** Runs `body` n times one after another and returns each run's wall time in ms. `setup` runs untimed first. */
export async function sample(n: number, body: (i: number) => unknown, setup?: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await setup?.(i);
    const t0 = performance.now();
    await body(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Resolves when an IndexedDB request succeeds; rejects with its error. */
export function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves on a transaction's complete event. */
export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function openDb(name: string, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => upgrade?.(r.result);
  return req(r);
}

export async function deleteDb(name: string): Promise<void> {
  await req(indexedDB.deleteDatabase(name));
}

/** Deterministic filler text of `chars` characters, split into paragraphs of about `per` characters. */
export function paragraphs(chars: number, per: number, next: () => number): string[] {
  const words = ['quire', 'page', 'local', 'first', 'sync', 'note', 'tree', 'draft', 'space', 'idea', 'plan', 'list'];
  const out: string[] = [];
  let total = 0;
  while (total < chars) {
    let p = '';
    const want = Math.min(per, chars - total);
    while (p.length < want) p += words[Math.floor(next() * words.length)]! + ' ';
    p = p.slice(0, want);
    out.push(p);
    total += p.length;
  }
  return out;
}
