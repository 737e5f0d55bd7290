/**
 * `npm start` (scripts/start.mjs) checks the relay's and the app's ports before it builds: a port already
 * taken is said in one line naming the port and the variable that picks another, and it exits with 1.
 * The check runs before the build, so these tests never build the app.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { portTaken, portTakenLine, readPort, takenPortLines } from '../scripts/ports.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** start.mjs exits at its port check, before any build; the bound only stops a run that went further. */
const EXIT_TIMEOUT_MS = 20_000;

const occupants: Server[] = [];

function occupy(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    occupants.push(server);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve(address.port);
    });
  });
}

/** A port free a moment ago (taken, then let go). */
async function freePort(): Promise<number> {
  const port = await occupy();
  const server = occupants.pop()!;
  await new Promise((done) => server.close(done));
  return port;
}

afterEach(async () => {
  for (const s of occupants.splice(0)) await new Promise((done) => s.close(done));
});

function runStart(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start.mjs did not exit within ${EXIT_TIMEOUT_MS} ms:\n${stdout}${stderr}`));
    }, EXIT_TIMEOUT_MS);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('ports.mjs', () => {
  test('tells a taken port from a free one', async () => {
    const taken = await occupy();
    expect(await portTaken(taken, '127.0.0.1')).toBe(true);
    expect(await portTaken(await freePort(), '127.0.0.1')).toBe(false);
  });

  test('lists only the taken ports, each as one line naming the port and its variable; port 0 is never taken', async () => {
    const taken = await occupy();
    const lines = await takenPortLines([
      { what: 'relay', port: 0, host: '127.0.0.1', variable: 'QUIRE_RELAY_PORT' },
      { what: 'app', port: taken, host: '127.0.0.1', variable: 'QUIRE_APP_PORT' },
    ]);
    expect(lines).toEqual([portTakenLine({ what: 'app', port: taken, host: '127.0.0.1', variable: 'QUIRE_APP_PORT' })]);
    expect(lines[0]).toContain(`port ${taken}`);
    expect(lines[0]).toContain('QUIRE_APP_PORT=');
    expect(lines[0]).not.toContain('\n');
  });

  test('reads a port setting, or its default; refuses anything else in one line', () => {
    expect(readPort(undefined, 4173, 'QUIRE_APP_PORT')).toBe(4173);
    expect(readPort('', 4173, 'QUIRE_APP_PORT')).toBe(4173);
    expect(readPort('5000', 4173, 'QUIRE_APP_PORT')).toBe(5000);
    expect(() => readPort('abc', 4173, 'QUIRE_APP_PORT')).toThrow(/QUIRE_APP_PORT must be an integer/);
    expect(() => readPort('70000', 4173, 'QUIRE_APP_PORT')).toThrow(/QUIRE_APP_PORT/);
  });
});

describe('npm start with a port taken', () => {
  test("the app's port: one line naming it and QUIRE_APP_PORT, exit code 1, no build", async () => {
    const port = await occupy();
    const run = await runStart({ QUIRE_APP_PORT: String(port), QUIRE_RELAY_PORT: String(await freePort()) });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`port ${port}`);
    expect(lines[0]).toContain('QUIRE_APP_PORT');
    expect(run.stdout).toBe('');
  });

  test("the relay's port: one line naming it and QUIRE_RELAY_PORT, exit code 1", async () => {
    const port = await occupy();
    const run = await runStart({ QUIRE_RELAY_PORT: String(port), QUIRE_APP_PORT: String(await freePort()) });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`port ${port}`);
    expect(lines[0]).toContain('QUIRE_RELAY_PORT');
  });
});
