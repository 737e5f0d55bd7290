/**
 * Starts the real relay (`relay/main.ts`, as `npm run relay` does) as a child process on loopback, for tests.
 * Node runs it in one process with tsx's loader, so a signal sent to the child reaches the relay itself.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The relay's SQLite file in its data directory: tests that read the relay's storage raw open it. */
export { RELAY_DB_FILE } from '../server.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Starting includes tsx compiling the relay on a shared 2-core machine: generous, and still a bound. */
const START_TIMEOUT_MS = 20_000;
/** A graceful stop stores and unloads every document; far less than the relay's own shutdown bound. */
const STOP_TIMEOUT_MS = 15_000;
const LISTENING_LINE = /Quire relay listening on (ws:\/\/127\.0\.0\.1:(\d+)) \(data: (.+)\)/;

export interface RelayProcess {
  readonly url: string;
  readonly httpUrl: string;
  readonly port: number;
  /** The relay's process id (its memory and CPU time are in /proc/<pid>/). */
  readonly pid: number;
  /** Everything the relay printed, for failure messages. */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface RelayProcessOptions {
  /** More environment for the relay (e.g. QUIRE_RELAY_DATABASE_URL, QUIRE_RELAY_REDIS_URL, a limit override). */
  env?: Record<string, string>;
  /** A fixed port (a restart on the same address); default any free port. */
  port?: number;
}

function spawnRelay(dataDir: string, options: RelayProcessOptions): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, QUIRE_RELAY_PORT: String(options.port ?? 0), QUIRE_RELAY_HOST: '127.0.0.1', QUIRE_RELAY_DATA: dataDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface RelayExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the relay when it is expected not to start (a setting refused, its port taken): resolves with what
 * it printed and its exit code. A relay that starts after all is killed at the start bound, and the call rejects.
 */
export async function runFailingRelayProcess(dataDir: string, options: RelayProcessOptions = {}): Promise<RelayExit> {
  const child = spawnRelay(dataDir, options);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`relay did not exit within ${START_TIMEOUT_MS} ms:\n${stdout}${stderr}`));
    }, START_TIMEOUT_MS);
  });
  try {
    const code = await Promise.race([exited, timeout]);
    // The `close` of the pipes may come after `exit`: wait for everything printed.
    await Promise.all([new Promise((done) => (child.stdout.readableEnded ? done(null) : child.stdout.once('end', done))), new Promise((done) => (child.stderr.readableEnded ? done(null) : child.stderr.once('end', done)))]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

export async function startRelayProcess(dataDir: string, options: RelayProcessOptions = {}): Promise<RelayProcess> {
  const child = spawnRelay(dataDir, options);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`relay did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const check = () => {
      const m = LISTENING_LINE.exec(output);
      if (!m?.[1]) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      done(m[1]);
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`relay exited with ${code} before listening:\n${output}`));
    });
  });
  const port = Number(new URL(url).port);

  return {
    url,
    port,
    pid: child.pid!,
    httpUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: (signal = 'SIGTERM') => stopChild(child, exited, signal, () => output),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals, output: () => string): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`relay did not stop within ${STOP_TIMEOUT_MS} ms after ${signal}:\n${output()}`));
    }, STOP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
