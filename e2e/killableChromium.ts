/**
 * Chromium as a real process the test owns: started on a persistent profile directory in its own process
 * group, driven over the DevTools protocol (Playwright's `connectOverCDP`), and killed with SIGKILL, the
 * browser process and every child (renderers, the storage and network services) at once. Playwright's own
 * launchers hide the process and close the browser politely; a power cut or an OOM kill is not polite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { chromiumPath } from '../scripts/chromium-path.mjs';

/** How long Chromium may take to print its DevTools address on a busy machine before the launch fails. */
const LAUNCH_TIMEOUT_MS = 60_000;

/**
 * Scheduling niceness of the harness's Chromium. The harness runs next to the rest of e2e (its own Playwright
 * project) and wants throughput, not latency: on a 2-core machine it yields the CPU to the specs that wait on
 * the app's timing, and takes what they leave.
 */
const KILL_BROWSER_NICENESS = 5;

/** The same quiet-on-a-closed-network switches as playwright.config.ts, plus headless and the profile. */
const ARGS = [
  '--headless',
  '--window-size=1280,900',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-crash-reporter',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--mute-audio',
  '--password-store=basic',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
  '--remote-debugging-port=0',
];

export interface KillableChromium {
  readonly browser: Browser;
  /** The profile's default context (persistent: its IndexedDB, service worker and caches are on disk). */
  readonly context: BrowserContext;
  readonly pid: number;
  /**
   * SIGKILLs the whole process group and resolves once the browser process is gone and, unless the launch
   * said `waitForProfile: false`, every other process of the profile too. Idempotent.
   */
  kill(): Promise<void>;
}

function devToolsAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`Chromium printed no DevTools address within ${LAUNCH_TIMEOUT_MS} ms:\n${seen}`)), LAUNCH_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) done(() => resolve(m[1]!));
    };
    const onExit = (code: number | null) => fail(new Error(`Chromium exited (${code}) before listening:\n${seen}`));
    const done = (then: () => void) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      then();
    };
    const fail = (e: Error) => done(() => reject(e));
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** How long one action (a click, a fill, a navigation) may wait for its element on a busy machine. */
const ACTION_TIMEOUT_MS = 30_000;
/** Bounds how long a kill waits for the profile's last processes to go. */
const SURVIVOR_WAIT_MS = 10_000;

/** The pids of live processes started with this profile directory (from /proc). */
export function profileProcesses(profileDir: string): number[] {
  const flag = `--user-data-dir=${profileDir}`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // A zombie (state Z) holds nothing any more.
      if (cmdline.split('\0').includes(flag) && !/^\d+ \(.*\) Z /.test(stat)) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/**
 * Starts Chromium on `profileDir` and connects to it. `waitForProfile: false` (KILL_NO_WAIT=1) makes `kill`
 * return once the browser process itself is gone, as the harness did before it waited for the profile's
 * last processes: to tell a relaunch racing them from Chromium losing an origin's storage by itself.
 */
export async function launchKillableChromium(profileDir: string, opts: { waitForProfile?: boolean } = {}): Promise<KillableChromium> {
  const executable = chromiumPath();
  if (!executable) throw new Error('no Chromium found (scripts/chromium-path.mjs)');
  // `nice` execs Chromium in place (same pid, same process group), so every process of the browser inherits it.
  const child = spawn('nice', ['-n', String(KILL_BROWSER_NICENESS), executable, ...ARGS, `--user-data-dir=${profileDir}`, 'about:blank'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('Chromium did not start');
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  };
  let browser: Browser;
  try {
    const address = await devToolsAddress(child);
    // After the address, stderr is only Chromium's chatter: keep draining it so the pipe never fills.
    if (process.env.KILL_CHROME_LOG) child.stderr?.on('data', (d: Buffer) => appendFileSync(process.env.KILL_CHROME_LOG!, d));
    else child.stderr?.resume();
    browser = await chromium.connectOverCDP(address);
  } catch (e) {
    killGroup();
    await exited;
    throw e;
  }
  const context = browser.contexts()[0];
  if (!context) throw new Error('Chromium has no default context');
  // A browser connected over CDP gets none of the config's timeouts: without one, an action on an element that
  // never comes (the editor of a page whose creation a kill cut short) would wait for ever instead of failing.
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return {
    browser,
    context,
    pid,
    async kill() {
      killGroup();
      await exited;
      await browser.close().catch(() => undefined);
      if (opts.waitForProfile === false) return;
      // Every process of this profile must be gone before the next launch: a survivor outside the process
      // group (Chromium's zygote children can leave it) would still hold the profile's storage.
      const deadline = Date.now() + SURVIVOR_WAIT_MS;
      for (;;) {
        const survivors = profileProcesses(profileDir);
        if (survivors.length === 0) break;
        if (process.env.KILL_VERBOSE) console.log(`browser-kill: ${survivors.length} process(es) of the profile outlived the group kill: ${survivors.join(', ')}`);
        for (const p of survivors) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
        if (Date.now() > deadline) throw new Error(`Chromium processes of ${profileDir} survive SIGKILL: ${survivors.join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/**
 * Whether Chromium destroyed the profile's IndexedDB when it was last opened: after a SIGKILL it sometimes finds
 * its own backing store corrupt ("Got corruption ... IndexedDB recovering from a corrupted (and deleted)
 * database", seen with KILL_CHROME_LOG), deletes every database of the origin and starts an empty one, whose
 * LevelDB log then begins with "Creating DB ... since it was missing". No page can prevent or undo that; only a
 * copy elsewhere (the relay, a backup) can bring the data back. Call after the page touched IndexedDB.
 */
export function indexedDbRecreated(profileDir: string): boolean {
  const root = `${profileDir}/Default/IndexedDB`;
  if (!existsSync(root)) return false;
  return readdirSync(root)
    .filter((d) => d.endsWith('.indexeddb.leveldb'))
    .some((d) => {
      try {
        return /since it was missing/.test(readFileSync(`${root}/${d}/LOG`, 'utf8'));
      } catch {
        return false;
      }
    });
}
