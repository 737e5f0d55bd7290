/**
 * `node --import tsx --expose-gc bench/relayGuard.ts`: what the relay's shadow guard
 * (relay/shadowGuardExtension.ts, decision 0013) costs, and what a cheaper check would miss.
 *
 * 1. Corpus: BENCH_GUARD_CASES (default 30,000) seeded corrupt updates (relay/testing/corruptUpdates.ts,
 *    seeds BENCH_GUARD_SEED..+N-1, ten realistic pages of 300 edits, page of seed s = s % 10 + 1000): how many
 *    the shape check refuses, how many pass it and throw on their page (and of those, how many change the
 *    page before throwing), and what applying to a fresh empty document says about the same updates.
 * 2. Cost on a page of about 1 MB encoded: time per typing-size update (one to five characters from another
 *    client) applied as Hocuspocus applies it, without the guard and with it (shadow apply, live apply,
 *    mirror), p50 and p95 over TYPING_UPDATES; the one-off shadow build on a document's first update; heap
 *    per loaded document with and without its shadow (after GC, averaged over MEMORY_DOCS documents).
 */
import * as Y from 'yjs';
import { UpdateGuard } from '../src/core/guard/UpdateGuard.ts';
import { mulberry32 } from '../src/core/testing/prng.ts';
import { classify, corruptCase, editPage, realisticPage } from '../relay/testing/corruptUpdates.ts';

const CASES = Number(process.env.BENCH_GUARD_CASES ?? 30_000);
const SEED = Number(process.env.BENCH_GUARD_SEED ?? 24_301);
/** The size of the page the cost is measured on. */
const PAGE_BYTES = 1024 * 1024;
const TYPING_UPDATES = 3_000;
const MEMORY_DOCS = 4;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function corpus(): void {
  const pages = new Map<number, Uint8Array>();
  const counts = { shape: 0, passShape: 0, throws: 0, partial: 0, emptyCatches: 0, emptyMisses: 0, emptyFalseAlarms: 0 };
  for (let seed = SEED; seed < SEED + CASES; seed++) {
    const pageSeed = (seed % 10) + 1000;
    let page = pages.get(pageSeed);
    if (!page) pages.set(pageSeed, (page = realisticPage(pageSeed, 300)));
    const { update } = corruptCase(seed, page);
    const onPage = classify(page, update);
    if (onPage === 'shape') {
      counts.shape++;
      continue;
    }
    counts.passShape++;
    const onEmpty = classify(null, update);
    if (onPage === 'throws') {
      counts.throws++;
      if (onEmpty === 'throws') counts.emptyCatches++;
      else counts.emptyMisses++;
      const doc = new Y.Doc();
      Y.applyUpdate(doc, page);
      const before = Y.encodeStateVector(doc);
      let fired = false;
      doc.on('update', () => (fired = true));
      try {
        Y.applyUpdate(doc, update);
      } catch {
        // expected: it throws
      }
      if (fired || Buffer.compare(Buffer.from(before), Buffer.from(Y.encodeStateVector(doc))) !== 0) counts.partial++;
      doc.destroy();
    } else if (onEmpty === 'throws') counts.emptyFalseAlarms++;
  }
  console.log(`corpus: ${CASES} seeded corrupt updates (seeds ${SEED}..${SEED + CASES - 1})`);
  console.log(`  refused by the shape check: ${counts.shape}; pass it: ${counts.passShape}`);
  console.log(`  pass it and throw on their page: ${counts.throws} (${((100 * counts.throws) / CASES).toFixed(2)}%), of which ${counts.partial} changed the page before throwing`);
  console.log(`  a fresh empty document instead: throws for ${counts.emptyCatches} of those, misses ${counts.emptyMisses}; throws for ${counts.emptyFalseAlarms} that apply cleanly to their page`);
}

/** A page of about PAGE_BYTES, edited by one client. */
function bigPage(): Y.Doc {
  const rng = mulberry32(7);
  const doc = new Y.Doc();
  doc.clientID = 1;
  while (Y.encodeStateAsUpdate(doc).byteLength < PAGE_BYTES) Y.transact(doc, () => {
    for (let i = 0; i < 500; i++) editPage(rng, doc);
  });
  return doc;
}

/** Typing-size updates another client makes on `page`. */
function typing(page: Uint8Array): Uint8Array[] {
  const rng = mulberry32(11);
  const remote = new Y.Doc();
  remote.clientID = 2;
  Y.applyUpdate(remote, page);
  const body = remote.getXmlFragment('default');
  const updates: Uint8Array[] = [];
  remote.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < TYPING_UPDATES; i++) {
    const p = body.get(rng.int(body.length));
    const text = p instanceof Y.XmlElement ? p.get(0) : null;
    if (text instanceof Y.XmlText) text.insert(rng.int(text.length + 1), 'abcde'.slice(0, 1 + rng.int(5)));
    else i--;
  }
  remote.destroy();
  return updates;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function timeEach(updates: Uint8Array[], apply: (u: Uint8Array) => void): { p50: number; p95: number; mean: number } {
  const times = updates.map((u) => {
    const t = process.hrtime.bigint();
    apply(u);
    return Number(process.hrtime.bigint() - t) / 1e6;
  });
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), mean };
}

function heapMiB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function cost(): void {
  const source = bigPage();
  const page = Y.encodeStateAsUpdate(source);
  source.destroy();
  const updates = typing(page);
  const sizes = updates.map((u) => u.byteLength).sort((a, b) => a - b);
  console.log(`cost: page of ${(page.byteLength / 2 ** 20).toFixed(2)} MiB encoded; ${updates.length} typing updates of ${sizes[0]}-${sizes[sizes.length - 1]} bytes (median ${percentile(sizes, 50)})`);

  const bare = new Y.Doc();
  Y.applyUpdate(bare, page);
  const without = timeEach(updates, (u) => Y.applyUpdate(bare, u));
  bare.destroy();

  const live = new Y.Doc();
  Y.applyUpdate(live, page);
  const guard = new UpdateGuard(live);
  const t0 = process.hrtime.bigint();
  guard.check(updates[0]!); // builds the shadow
  Y.applyUpdate(live, updates[0]!);
  const build = Number(process.hrtime.bigint() - t0) / 1e6;
  const withGuard = timeEach(updates.slice(1), (u) => {
    guard.check(u);
    Y.applyUpdate(live, u);
  });
  guard.destroy();
  live.destroy();
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  console.log(`  per update without the guard: p50 ${ms(without.p50)}, p95 ${ms(without.p95)}, mean ${ms(without.mean)}`);
  console.log(`  per update with the guard:    p50 ${ms(withGuard.p50)}, p95 ${ms(withGuard.p95)}, mean ${ms(withGuard.mean)}`);
  console.log(`  shadow build on the first update of a loaded document: ${ms(build)}`);

  const base = heapMiB();
  const docs = Array.from({ length: MEMORY_DOCS }, () => {
    const d = new Y.Doc();
    Y.applyUpdate(d, page);
    return d;
  });
  const loaded = heapMiB();
  const guards = docs.map((d) => {
    const g = new UpdateGuard(d);
    g.check(updates[0]!);
    return g;
  });
  const shadowed = heapMiB();
  console.log(`  heap per loaded document: ${((loaded - base) / MEMORY_DOCS).toFixed(1)} MiB without its shadow, ${((shadowed - base) / MEMORY_DOCS).toFixed(1)} MiB with it`);
  for (const g of guards) g.destroy();
  for (const d of docs) d.destroy();
}

corpus();
cost();
