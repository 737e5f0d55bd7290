/**
 * Private PostgreSQL and Redis instances for the two-node relay tests, from Debian's packages: each on a
 * free loopback port, with its data in a fresh temporary directory, and nothing of the system's own
 * services used. `scripts/ensure-services.mjs` installs the packages when they are missing.
 *
 * PostgreSQL's initdb and postgres refuse to run as root. As root (CI containers, this machine) both run
 * as the `postgres` user Debian's package creates (or `nobody`), through util-linux's `runuser`, with the
 * temporary directory handed to that user; as any other user they run as that user.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresBinDir, redisServerPath } from '../../scripts/service-paths.mjs';

const run = promisify(execFile);

/** initdb plus a first start, on a shared 2-core machine: generous, and still a bound. */
const POSTGRES_START_TIMEOUT_S = 60;
const REDIS_START_TIMEOUT_MS = 15_000;
const REDIS_STOP_TIMEOUT_MS = 5_000;
/** Users tried, in order, to run PostgreSQL when the tests run as root. */
const POSTGRES_USERS_FOR_ROOT = ['postgres', 'nobody'];
/** The role initdb creates; trust authentication on loopback, so no password. */
export const TEST_POSTGRES_ROLE = 'quire';

export interface RunningService {
  readonly url: string;
  /** Stops the service and deletes its data. */
  stop(): Promise<void>;
}

export interface RunningPostgres extends RunningService {
  /** Stops the server (fast shutdown) keeping its data, to make stores fail. */
  halt(): Promise<void>;
  /** Starts it again on the same port and data. */
  resume(): Promise<void>;
}

export interface RunningRedis extends RunningService {
  /** Runs one command with redis-cli against this instance and returns its output. */
  command(...args: string[]): Promise<string>;
}

/** A free TCP port on loopback (free when asked; the service binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function postgresUser(): Promise<{ prefix: string[]; uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  for (const user of POSTGRES_USERS_FOR_ROOT) {
    try {
      const uid = Number((await run('id', ['-u', user])).stdout.trim());
      const gid = Number((await run('id', ['-g', user])).stdout.trim());
      return { prefix: ['runuser', '-u', user, '--'], uid, gid };
    } catch {
      // no such user: try the next one
    }
  }
  throw new Error(`running as root and none of the users ${POSTGRES_USERS_FOR_ROOT.join(', ')} exists to run PostgreSQL`);
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found; run `node scripts/ensure-services.mjs`');
  const dir = mkdtempSync(join(tmpdir(), 'quire-pg-'));
  const data = join(dir, 'data');
  const as = await postgresUser();
  if (as) chownSync(dir, as.uid, as.gid);
  const exec = async (tool: string, args: string[]) => {
    const [cmd, ...rest] = [...(as?.prefix ?? []), join(bin, tool), ...args];
    try {
      return (await run(cmd!, rest, { cwd: dir })).stdout;
    } catch (e) {
      const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
      throw new Error(`${tool} ${args.join(' ')} failed as ${as ? as.prefix[2] : userInfo().username}:\n${stdout}${stderr}`, { cause: e });
    }
  };
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', TEST_POSTGRES_ROLE, '-E', 'UTF8', '--no-sync']);
    const port = await freePort();
    // Test-only speed settings: fsync off, since the tests never crash PostgreSQL itself (they crash relays).
    const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    const start = () => exec('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', String(POSTGRES_START_TIMEOUT_S), '-o', serverOptions, 'start']);
    const halt = async () => void (await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']));
    await start();
    return {
      url: `postgres://${TEST_POSTGRES_ROLE}@127.0.0.1:${port}/postgres`,
      halt,
      resume: async () => void (await start()),
      stop: async () => {
        await halt().catch(() => undefined); // already halted by a test
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function startRedis(): Promise<RunningRedis> {
  const server = redisServerPath();
  if (!server) throw new Error('redis-server not found; run `node scripts/ensure-services.mjs`');
  const dir = mkdtempSync(join(tmpdir(), 'quire-redis-'));
  const port = await freePort();
  // No persistence at all (--save '' --appendonly no): the relay never relies on Redis keeping anything.
  const child = spawn(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${REDIS_START_TIMEOUT_MS} ms:\n${output}`)), REDIS_START_TIMEOUT_MS);
      const check = () => {
        if (!output.includes('Ready to accept connections')) return;
        clearTimeout(timer);
        done();
      };
      child.stdout.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        fail(new Error(`redis-server exited before it was ready:\n${output}`));
      });
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const cli = join(server, '..', 'redis-cli');
  return {
    url: `redis://127.0.0.1:${port}`,
    command: async (...args) => (await run(cli, ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout.trim(),
    stop: async () => {
      await stopChild(child, exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), REDIS_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
