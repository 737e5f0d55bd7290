/**
 * `npm run relay` on a port already taken (a relay already running, or another program): one line that
 * names the port and the variable that picks another, no stack trace, exit code 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { runFailingRelayProcess } from './testing/relayProcess.ts';

let dataDir: string;
let occupant: Server | null = null;

/** Takes a free port on loopback and keeps it, as a running relay would. */
function occupy(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    occupant = server;
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve(address.port);
    });
  });
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'quire-port-test-'));
});
afterEach(async () => {
  const o = occupant;
  occupant = null;
  if (o) await new Promise((done) => o.close(done));
  rmSync(dataDir, { recursive: true, force: true });
});

test('a relay started on a port already in use says so in one line and exits with 1', async () => {
  const port = await occupy();
  const run = await runFailingRelayProcess(dataDir, { port });
  expect(run.code).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toContain(`port ${port}`);
  expect(lines[0]).toContain('QUIRE_RELAY_PORT');
  expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(run.stdout).not.toContain('listening');
});
