/**
 * `node --import tsx --expose-gc bench/tabs.ts`: one relay socket per browser (leader tab) against every
 * tab connecting, with N = 1, 2, 4, 8 tabs of one browser profile open on the same synced page, against
 * the REAL relay process on loopback (decision 0012).
 *
 * Tabs are simulated in this process as the leadership test does (src/sync/relay/leader/testing/
 * relayTabs.ts): real SpaceManagers, the real tab channel over Node's BroadcastChannel, one shared lock
 * manager, real `ws` sockets. Per mode and N it reports:
 *   - sockets: WebSockets open to the relay from the profile once everything settled (client side: the
 *     relay sees exactly these), and the relay's own /health `connections` (Hocuspocus document sessions);
 *   - bytes for one edit: every byte crossing the profile's sockets, both directions, from one edit of
 *     21 characters typed in the LAST tab (a follower in leader mode) until the wire is quiet for QUIET_MS,
 *     and of them the bytes sent to the relay (the rest: the relay's echoes and stored acknowledgements);
 *   - relay RSS growth: the relay process's resident memory once the tabs settled minus before they opened
 *     (/proc, Linux only; includes the relay loading the space's documents, and GC noise);
 *   - client heap: this process's heap after GC with the tabs open, minus before (with --expose-gc).
 * Each (mode, N) uses a fresh space and profile; one relay process serves all of them. BENCH_TABS_RUNS
 * (default 3) repeats each cell; the median is printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../src/core/persistence/MemoryLayer.ts';
import { InProcessTabLocks } from '../src/sync/tabs/InProcessTabLocks.ts';
import { randomId } from '../src/protocol/capability.ts';
import { RelayTab, SocketMeter, type RelayMode } from '../src/sync/relay/leader/testing/relayTabs.ts';
import { startRelayProcess } from '../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../relay/testing/testSpace.ts';
import { HEALTH_PATH } from '../relay/healthExtension.ts';

const TAB_COUNTS = [1, 2, 4, 8];
const MODES: RelayMode[] = ['every-tab', 'leader'];
const RUNS = Number(process.env.BENCH_TABS_RUNS ?? 3);
/** The wire counts as quiet (the edit and every echo of it delivered) after this long without a byte. */
const QUIET_MS = 600;
/** Bounds every wait of the bench: a cell that does not settle in this long is reported as broken. */
const SETTLE_TIMEOUT_MS = 30_000;
const EDIT = 'one edit, 21 chars..!';
const RELAY_ENV = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '20', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc;

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + SETTLE_TIMEOUT_MS;
  while (!check()) {
    if (Date.now() > end) throw new Error(`bench/tabs: timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function quiet(meter: SocketMeter): Promise<void> {
  let last = -1;
  while (meter.bytes !== last) {
    last = meter.bytes;
    await sleep(QUIET_MS);
  }
}

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function relayRss(): number | null {
  try {
    // The relay is this process's child (relayProcess spawns node directly).
    const pids = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).trim().split('\n');
    let kb = 0;
    for (const pid of pids) kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb * 1024;
  } catch {
    return null;
  }
}

interface Cell {
  sockets: number;
  sessions: number;
  editBytes: number;
  editSent: number;
  relayRss: number | null;
  clientHeap: number;
}

async function health(httpUrl: string): Promise<{ connections: number }> {
  const r = await fetch(`${httpUrl}${HEALTH_PATH}`);
  return (await r.json()) as { connections: number };
}

async function cell(url: string, httpUrl: string, mode: RelayMode, n: number): Promise<Cell> {
  const spaceId = randomId();
  const locks = new InProcessTabLocks();
  const store = new MemoryStore();
  const meter = new SocketMeter();
  const heapBefore = heap();
  const rssBefore = relayRss();
  const open = (create: boolean) => RelayTab.open({ mode, locks, store, url, spaceId, tokenFor: ownerTokenFor, meter, create });
  const tabs = [await open(true)];
  const pageId = tabs[0]!.handle.space.createPage({ title: 'Bench' });
  for (let i = 1; i < n; i++) tabs.push(await open(false));
  await until(() => tabs.every((t) => t.handle.space.getPage(pageId) !== undefined), 'every tab to see the page');
  const pages = await Promise.all(tabs.map((t) => t.handle.openPage(pageId)));
  const layers = () => tabs.map((t) => t.layer).filter((l) => l !== null);
  await until(() => layers().length === (mode === 'leader' ? 1 : n) && layers().every((l) => l.status().state === 'synced'), 'the relay layers to sync');
  // Leader mode: every follower's page is held by the leader (announced within ANNOUNCE_MS).
  if (mode === 'leader') await until(() => tabs.some((t) => t.layer && t.handle.openPageIds().includes(pageId)), 'the leader to hold the page');
  await quiet(meter);
  const rssAfter = relayRss();
  const rss = rssAfter !== null && rssBefore !== null ? rssAfter - rssBefore : null;
  const clientHeap = heap() - heapBefore;
  const { connections } = await health(httpUrl);

  const before = meter.bytes;
  const sentBefore = meter.sent;
  pages[n - 1]!.doc.getText('t').insert(0, EDIT);
  await until(() => pages.every((p) => p.doc.getText('t').toString() === EDIT), 'the edit to reach every tab');
  await until(() => layers().every((l) => l.status().state === 'synced'), 'the relay to store the edit');
  await quiet(meter);
  const editBytes = meter.bytes - before;
  const editSent = meter.sent - sentBefore;
  const sockets = meter.open;

  for (const p of pages) await p.release();
  for (const t of tabs) await t.close();
  return { sockets, sessions: connections, editBytes, editSent, relayRss: rss, clientHeap };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dataDir = mkdtempSync(join(tmpdir(), 'quire-bench-tabs-'));
const relay = await startRelayProcess(dataDir, { env: RELAY_ENV });
const rows: string[] = [];
try {
  const baseRss = relayRss();
  console.error(`relay ${relay.url}, idle RSS ${baseRss === null ? 'n/a' : (baseRss / 2 ** 20).toFixed(1)} MiB, ${RUNS} run(s) per cell, gc ${gc ? 'on' : 'off (pass --expose-gc)'}`);
  rows.push('| tabs | mode | sockets to relay | relay sessions | bytes on the wire for one edit (of them sent to the relay) | relay RSS growth (KiB) | client heap (KiB) |');
  rows.push('|---:|---|---:|---:|---:|---:|---:|');
  for (const n of TAB_COUNTS) {
    for (const mode of MODES) {
      const runs: Cell[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await cell(relay.url, relay.httpUrl, mode, n));
      const rss = runs.map((c) => c.relayRss).filter((x) => x !== null);
      const row = `| ${n} | ${mode} | ${median(runs.map((c) => c.sockets))} | ${median(runs.map((c) => c.sessions))} | ${median(runs.map((c) => c.editBytes))} (${median(runs.map((c) => c.editSent))}) | ${rss.length ? Math.round(median(rss) / 1024) : 'n/a'} | ${gc ? Math.round(median(runs.map((c) => c.clientHeap)) / 1024) : 'n/a'} |`;
      rows.push(row);
      console.error(row);
    }
  }
} finally {
  await relay.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(rows.join('\n'));
