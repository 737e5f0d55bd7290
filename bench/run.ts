/**
 * `npm run bench`: builds the app and the bench page, serves both on one loopback origin, and measures
 * Quire against raw baselines and a peer in the same run. Prints the table, writes
 * bench/results/latest.json and (full mode only) the table section of docs/performance.md.
 * BENCH_SHORT=1: 3 samples and smaller spaces, for CI. BENCH_PORT (default 4191), BENCH_SKIP_BUILD=1.
 * BENCH_ONLY=store,upgrade (any of the groups in `GROUPS`): runs those rows and the baselines only, and leaves
 * docs/performance.md alone (a partial table must not replace the full one).
 * The bench reports; it does not fail on a missed budget (only on a broken workload).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { callBench, launch, openBenchPage, plainContext } from './browser.ts';
import type { Figure } from './figure.ts';
import type { SeededSpace, SeedRequest } from './page/seed.ts';
import { evaluate, header, table, writeDoc, writeJson, type RunInfo } from './report.ts';
import { serveBuilds } from './server.ts';
import { sizesFromEnv } from './sizes.ts';
import { runApp } from './workloads/app.ts';
import { runBaselines } from './workloads/baselines.ts';
import { bundleFigures } from './workloads/bundle.ts';
import { runPeer } from './workloads/peer.ts';
import { runRelay } from './workloads/relay.ts';
import { rawHeavy, rowUpdate, runCollectionLoad } from './workloads/space.ts';
import { runOpenPageStorage, runSaves, runWholeSpace, seedStore } from './workloads/store.ts';
import { runUpgrade } from './workloads/upgrade.ts';

const PORT = Number(process.env.BENCH_PORT ?? 4191);
const s = sizesFromEnv(process.env);
const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/**
 * The row groups BENCH_ONLY selects (the baselines always run: other rows are judged against them). app: the built
 * app's rows and the collections; store: the local stores (page open, saves, whole space); upgrade: the upgrade
 * from the page store's format; peer: automerge-repo; relay: the relay rows; bundle: the bundle sizes.
 */
const GROUPS = ['app', 'store', 'upgrade', 'peer', 'relay', 'bundle'] as const;
type Group = (typeof GROUPS)[number];
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((g) => g.trim()).filter(Boolean) : null;
const unknown = only?.filter((g) => !(GROUPS as readonly string[]).includes(g)) ?? [];
if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown group(s) ${unknown.join(', ')}; the groups are ${GROUPS.join(', ')}`);
const runs = (group: Group) => only === null || only.includes(group);

if (process.env.BENCH_SKIP_BUILD !== '1') {
  log('building the app and the bench page');
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('npx', ['vite', 'build', '-c', 'bench/vite.config.ts', '--logLevel', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const loadavgStart = os.loadavg();
const server = await serveBuilds(PORT, 'dist', 'bench/dist');
const browser = await launch();
let figures: Figure[];
try {
  const context = await plainContext(browser);
  const bench = await openBenchPage(context, server.url);

  log('baselines');
  const { figures: baseFigures, baselines } = await runBaselines(bench, s);
  const seedIn = async (kind: 'space' | 'page', r: SeedRequest) => {
    const space = await seedStore(bench, kind, r);
    log(`seeded "${r.name}" in the ${kind} store: ${r.pages} pages, ${r.bodies} bodies in ${Math.round(space.ms / 1000)} s`);
    return space;
  };

  let appRows: Figure[] = [];
  let collectionRows: Figure[] = [];
  let inMemory: Figure[] = [];
  if (runs('app')) {
    const seed = async (r: SeedRequest) => {
      const space = await callBench<SeededSpace>(bench, 'seedSpace', r);
      log(`seeded "${r.name}": ${r.pages} pages, ${r.bodies} bodies in ${Math.round(space.ms / 1000)} s`);
      return space;
    };
    const spaces = {
      start: await seed({ name: 'start', pages: 5, seed: 1, bodies: 0, heavyChars: 0 }),
      small: await seed({ name: 'small', pages: s.smallPages, seed: 2, bodies: s.smallPages, heavyChars: s.heavyChars }),
      // No bodies: the app's rows on it read the tree only; the whole-space rows have their own space.
      big: await seed({ name: 'big', pages: s.bigPages, seed: 4, bodies: 0, heavyChars: 0 }),
    };
    log('collections and raw reads');
    const heavyBase = await rawHeavy(bench, spaces.small, s);
    const update = await rowUpdate(bench, s);
    collectionRows = [await runCollectionLoad(bench, spaces.big, s)];
    log('the app');
    appRows = await runApp(browser, context, server.url, spaces, s, { yIndexeddbOpen: baselines.yIndexeddbOpen, rawHeavy: heavyBase, rowUpdate: update.persisted });
    inMemory = [{ workload: 'baseline', what: `one TanStack DB row update in memory (local-only collection of ${s.bigPages} rows, until subscribers hear it)`, unit: 'ms', samples: update.inMemory, budget: '(baseline)' }];
  }

  let openStorage: Figure[] = [];
  let saves: Figure[] = [];
  let wholeRows: Figure[] = [];
  if (runs('store')) {
    const storeSmall = { name: 'store small', pages: s.smallPages, seed: 2, bodies: s.smallPages, heavyChars: 0 };
    const small = { space: await seedIn('space', storeSmall), page: await seedIn('page', storeSmall) };
    log('the stores: page open, saves');
    openStorage = await runOpenPageStorage(bench, small, s, baselines.yIndexeddbOpen);
    saves = await runSaves(bench, small, s);
    const whole = await seedIn('space', { name: 'whole', pages: s.bigPages, seed: 4, bodies: s.bigBodies, heavyChars: 0 });
    log('whole space (read every page, delete)');
    wholeRows = await runWholeSpace(bench, whole, s);
  }

  const peer = runs('peer') ? (log('peer'), await runPeer(bench, s)) : [];

  let upgrade: Figure[] = [];
  if (runs('upgrade')) {
    // Its own context, so its own storage: the rows above must not count against what the upgrade may use.
    const upgradeContext = await plainContext(browser);
    try {
      const page = await openBenchPage(upgradeContext, server.url);
      const seedOld = async () => {
        const old = await seedStore(page, 'page', { name: 'old format', pages: s.bigPages, seed: 4, bodies: s.bigBodies, heavyChars: 0 });
        log(`seeded "old format" in the page store: ${s.bigPages} pages, ${s.bigBodies} bodies in ${Math.round(old.ms / 1000)} s (untimed)`);
        return old;
      };
      log('upgrade from the page store\'s format');
      upgrade = await runUpgrade(page, seedOld, s, log);
    } finally {
      await upgradeContext.close();
    }
  }

  const relay = runs('relay') ? (log('relay'), await runRelay(s)) : [];

  const [paint, typical, heavy, keystroke, keystrokeFirst, tps, rename, move, cold] = appRows;
  const app = (...rows: (Figure | undefined)[]) => rows.filter((r): r is Figure => r !== undefined);
  figures = [
    ...app(paint),
    ...collectionRows,
    ...app(typical),
    ...openStorage,
    ...app(heavy, keystroke, keystrokeFirst, tps),
    ...saves,
    ...app(rename, move),
    ...wholeRows,
    ...upgrade,
    ...app(cold),
    ...relay,
    ...(runs('bundle') ? bundleFigures('dist') : []),
    ...peer,
    ...baseFigures,
    ...inMemory,
  ];
} finally {
  await browser.close();
  await server.close();
}

const info: RunInfo = {
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
  mode: s.short ? 'short' : 'full',
  ...(only ? { only } : {}),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadavgStart, loadavgEnd: os.loadavg() },
};
const rows = figures.map(evaluate);
mkdirSync('bench/results', { recursive: true });
writeJson('bench/results/latest.json', info, rows);
if (!s.short && only === null) writeDoc('docs/performance.md', info, rows);
console.log(`${header(info)}\n\n${table(rows)}`);
