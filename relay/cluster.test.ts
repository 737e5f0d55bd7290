/**
 * Two relay nodes sharing one PostgreSQL database with Redis fan-out, all real processes on loopback:
 * PostgreSQL and Redis from Debian's packages (relay/testing/services.ts), two `relay/main.ts` processes,
 * HocuspocusProvider clients. Also the PostgreSQL engine's storage contract and merge-on-write.
 *
 * When PostgreSQL or Redis cannot start here, every test is skipped and the reason is printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { testSpace, type TestSpace } from './testing/testSpace.ts';
import { ackCoversDoc, parseStoredAck } from '../src/protocol/storedAck.ts';
import { REDIS_PREFIX } from './redisFanoutExtension.ts';
import { fetchDocumentState, storeDocumentState } from './storage/postgresDocuments.ts';
import { ErrorCode } from '../src/core/errors.ts';
import { SCHEMA_1_ATTACK, expectAttackMigrated } from './storage/legacyRevocations.fixture.ts';
import { postgresAccessStore } from './storage/postgresAccessStore.ts';
import { POSTGRES_SCHEMA_VERSION, ensurePostgresSchema } from './storage/postgresSchema.ts';
import { openPostgresStorage } from './storage/postgresStorage.ts';
import { connectClient } from './testing/relayClient.ts';
import type { OpenDoc, RelayClient } from './testing/relayClient.ts';
import { startRelayProcess } from './testing/relayProcess.ts';
import type { RelayProcess } from './testing/relayProcess.ts';
import { startPostgres, startRedis } from './testing/services.ts';
import type { RunningPostgres, RunningRedis } from './testing/services.ts';
import { runRelayStoresContract } from './testing/storesContract.ts';

/** How long a change may take to cross nodes (and a killed node's client to move) before it counts as lost. */
const SYNC_TIMEOUT_MS = 15_000;
const POLL_MS = 20;
/** Edits each client makes in the failover test; the node is killed halfway through. */
const EDITS_PER_CLIENT = 20;
/** Pause between a client's edits: the kill lands while edits are in flight, not after they settled. */
const EDIT_GAP_MS = 10;
/** Snapshots raced into one row by the merge-on-write test. */
const RACING_SNAPSHOTS = 16;

interface Services {
  readonly postgres: RunningPostgres;
  readonly redis: RunningRedis;
}

async function startServices(): Promise<Services | string> {
  let postgres: RunningPostgres | undefined;
  try {
    postgres = await startPostgres();
    const redis = await startRedis();
    return { postgres, redis };
  } catch (e) {
    await postgres?.stop();
    return e instanceof Error ? e.message : String(e);
  }
}

const started = await startServices();
const services = typeof started === 'string' ? undefined : started;
if (typeof started === 'string') console.warn(`relay/cluster.test.ts SKIPPED: PostgreSQL or Redis could not start here:\n${started}`);

afterAll(async () => {
  await services?.redis.stop();
  await services?.postgres.stop();
});

const until = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: SYNC_TIMEOUT_MS, interval: POLL_MS });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const text = (doc: Y.Doc) => doc.getText('body').toString();
let docCounter = 0;
/** A fresh relay document name per test (`<spaceId>/<docId>`), so tests sharing the database never meet. */
/** Every document belongs to one space whose owner's capability registers it with the shared database. */
let space: TestSpace;
beforeAll(async () => {
  space = await testSpace();
});
const freshName = () => space.doc(`page-${++docCounter}`);

/** Whether some stored acknowledgement this session received covers everything `writer` wrote. */
function storedAckCovers(session: OpenDoc, writer: Y.Doc): boolean {
  return session.stateless.some((payload) => {
    const sv = parseStoredAck(payload);
    return sv !== null && ackCoversDoc(sv, writer);
  });
}

describe.skipIf(!services)('two relay nodes on PostgreSQL and Redis', () => {
  const { postgres, redis } = services ?? ({} as Services);
  const relays: RelayProcess[] = [];
  const clients: RelayClient[] = [];
  const dirs: string[] = [];
  const pools: pg.Pool[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const r of relays.splice(0)) await r.stop('SIGKILL');
    for (const p of pools.splice(0)) await p.end();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function node(nodeId: string, env: Record<string, string> = {}): Promise<RelayProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'quire-cluster-'));
    dirs.push(dir);
    const r = await startRelayProcess(dir, {
      env: {
        QUIRE_RELAY_DATABASE_URL: postgres.url,
        QUIRE_RELAY_REDIS_URL: redis.url,
        QUIRE_RELAY_NODE_ID: nodeId,
        ...env,
      },
    });
    relays.push(r);
    return r;
  }
  function client(r: RelayProcess): RelayClient {
    const c = connectClient(r.url, space.ownerToken());
    clients.push(c);
    return c;
  }
  async function pool(): Promise<pg.Pool> {
    const p = new pg.Pool({ connectionString: postgres.url, max: 4 });
    pools.push(p);
    await ensurePostgresSchema(p);
    return p;
  }
  async function storedText(name: string): Promise<string | null> {
    const state = await fetchDocumentState(await pool(), name);
    if (!state) return null;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    return text(doc);
  }

  runRelayStoresContract('PostgreSQL', async () => {
    const storage = await openPostgresStorage({ url: postgres.url });
    const writer = await pool();
    return { ...storage, storeDocument: async (name, state) => void (await storeDocumentState(writer, name, state)) };
  });

  /** A new, empty database on the test server (its URL), for a test that needs a schema of its own. */
  let databases = 0;
  async function freshDatabase(): Promise<string> {
    const name = `quire_migration_${process.pid}_${++databases}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(postgres.url);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Schema 1's access tables and version row, exactly as the first release's postgresSchema.ts created them. */
  const SCHEMA_1_ACCESS = `
    CREATE TABLE quire_schema (version integer NOT NULL);
    INSERT INTO quire_schema (version) VALUES (1);
    CREATE TABLE quire_spaces (space_id text PRIMARY KEY, public_key text NOT NULL, registered_at bigint NOT NULL);
    CREATE TABLE quire_revocations (space_id text NOT NULL, id text NOT NULL, revoked_at bigint NOT NULL, PRIMARY KEY (space_id, id));
    CREATE TABLE quire_members (
      space_id text NOT NULL, member_id text NOT NULL, invite_id text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')), name text NOT NULL,
      first_seen_at bigint NOT NULL, last_seen_at bigint NOT NULL, PRIMARY KEY (space_id, member_id));
  `;

  test("access schema migration: a schema-1 database with the lockout attack's rows, migrated once by nodes starting together", async () => {
    const url = await freshDatabase();
    const nodes = Array.from({ length: 3 }, () => new pg.Pool({ connectionString: url, max: 2 }));
    pools.push(...nodes);
    const [first] = nodes as [pg.Pool];
    await first.query(SCHEMA_1_ACCESS);
    const a = SCHEMA_1_ATTACK;
    await first.query('INSERT INTO quire_spaces VALUES ($1, $2, $3)', [a.spaceId, 'key', 1]);
    for (const m of a.members) await first.query('INSERT INTO quire_members VALUES ($1, $2, $3, $4, $5, $6, $6)', [a.spaceId, m.memberId, m.inviteId, m.role, m.name, m.firstSeenAt]);
    for (const id of a.revoked) await first.query('INSERT INTO quire_revocations VALUES ($1, $2, $3)', [a.spaceId, id, 50]);

    const log: string[] = [];
    await Promise.all(nodes.map((p) => ensurePostgresSchema(p, (line) => log.push(line))));
    await expectAttackMigrated(postgresAccessStore(first), log);
    expect((await first.query<{ version: number }>('SELECT version FROM quire_schema')).rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
  });

  test('a database whose schema is newer than the relay knows is refused with version-too-new', async () => {
    const url = await freshDatabase();
    const p = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(p);
    await p.query('CREATE TABLE quire_schema (version integer NOT NULL)');
    await p.query('INSERT INTO quire_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION + 1]);
    await expect(ensurePostgresSchema(p)).rejects.toMatchObject({ code: ErrorCode.VersionTooNew });
  });

  test('merge-on-write: an older snapshot stored after a newer one takes nothing away', async () => {
    const [nodeA, nodeB] = [await pool(), await pool()];
    const name = freshName();
    const older = new Y.Doc();
    older.getText('body').insert(0, 'older ');
    const newer = new Y.Doc();
    Y.applyUpdate(newer, Y.encodeStateAsUpdate(older));
    newer.getText('body').insert(6, 'newer');

    expect(await storeDocumentState(nodeB, name, Y.encodeStateAsUpdate(newer))).toBe('stored');
    await storeDocumentState(nodeA, name, Y.encodeStateAsUpdate(older)); // late and stale
    expect(await storedText(name)).toBe('older newer');
    expect(await storeDocumentState(nodeA, name, Y.encodeStateAsUpdate(newer))).toBe('unchanged');
  });

  test('merge-on-write: racing snapshots from two nodes all end up in the row', async () => {
    const nodes = [await pool(), await pool()];
    const name = freshName();
    const base = new Y.Doc();
    base.getText('body').insert(0, '|');
    const snapshots = Array.from({ length: RACING_SNAPSHOTS }, (_, i) => {
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(base));
      d.getText('body').insert(1, `<${i}>`);
      return Y.encodeStateAsUpdate(d);
    });
    await Promise.all(snapshots.map((s, i) => storeDocumentState(nodes[i % 2]!, name, s)));
    const stored = (await storedText(name)) ?? '';
    for (let i = 0; i < RACING_SNAPSHOTS; i++) expect(stored).toContain(`<${i}>`);
  });

  test('two clients on different nodes converge, both ways, and the store is acknowledged on both nodes', async () => {
    const [a, b] = [await node('node-a'), await node('node-b')];
    const name = freshName();
    const onA = client(a).open(name);
    const onB = client(b).open(name);
    await until(() => expect(onA.provider.synced && onB.provider.synced).toBe(true));

    onA.doc.getText('body').insert(0, 'from A. ');
    await until(() => expect(text(onB.doc)).toBe('from A. '));
    onB.doc.getText('body').insert(8, 'from B.');
    await until(() => expect(text(onA.doc)).toBe('from A. from B.'));

    // Whichever node stores, its acknowledgement reaches both nodes' clients (Redis forwards stateless
    // broadcasts), and only after PostgreSQL holds the content.
    await until(() => expect(storedAckCovers(onA, onA.doc) && storedAckCovers(onA, onB.doc)).toBe(true));
    await until(() => expect(storedAckCovers(onB, onA.doc) && storedAckCovers(onB, onB.doc)).toBe(true));
    expect(await storedText(name)).toBe('from A. from B.');
  });

  test('killing a node mid-session moves its client to the other node with nothing lost', async () => {
    const [a, b] = [await node('node-a'), await node('node-b')];
    const name = freshName();
    const c1 = client(a);
    const first = c1.open(name);
    const onB = client(b).open(name);
    await until(() => expect(first.provider.synced && onB.provider.synced).toBe(true));

    const written: string[] = [];
    const edit = (doc: Y.Doc, token: string) => {
      const body = doc.getText('body');
      body.insert(body.length, `${token} `);
      written.push(token);
    };
    let killedAt = 0;
    let disconnectedAt = 0;
    c1.socket.on('disconnect', () => (disconnectedAt ||= performance.now()));
    for (let i = 0; i < EDITS_PER_CLIENT; i++) {
      if (i === EDITS_PER_CLIENT / 2) {
        killedAt = performance.now();
        await a.stop('SIGKILL'); // mid-session: the last edits to A may be neither fanned out nor stored
      }
      // After the kill the first client keeps editing while offline, as a browser would.
      edit(first.doc, `one-${i}`);
      edit(onB.doc, `two-${i}`);
      await sleep(EDIT_GAP_MS);
    }
    await until(() => expect(disconnectedAt).toBeGreaterThan(0));

    // The client moves: one socket per relay URL, so a new client on B carries the document's local state
    // (in the app, the state the browser kept in IndexedDB).
    const moved = client(b).open(name);
    Y.applyUpdate(moved.doc, Y.encodeStateAsUpdate(first.doc));
    const movedAt = performance.now();
    await until(() => expect(text(moved.doc)).toBe(text(onB.doc)));
    const convergedAt = performance.now();
    for (const token of written) expect(text(onB.doc)).toContain(token);
    console.log(
      `failover: kill -> client disconnected ${(disconnectedAt - killedAt).toFixed(0)} ms; ` +
        `reconnect to node B -> converged ${(convergedAt - movedAt).toFixed(0)} ms; ` +
        `kill -> converged ${(convergedAt - killedAt).toFixed(0)} ms (test-driven move, ${written.length} edits)`,
    );

    // Everything both clients wrote is stored: B acknowledges it, and PostgreSQL holds it.
    await until(() => expect(storedAckCovers(moved, first.doc) && storedAckCovers(onB, onB.doc)).toBe(true));
    const stored = (await storedText(name)) ?? '';
    for (const token of written) expect(stored).toContain(token);
    expect(stored).toBe(text(onB.doc));
  });

  test('a graceful stop of a node stores its unstored edits in PostgreSQL before it exits', async () => {
    const a = await node('node-a');
    const name = freshName();
    const session = client(a).open(name);
    await until(() => expect(session.provider.synced).toBe(true));
    session.doc.getText('body').insert(0, 'applied, not yet stored');
    await until(() => expect(session.provider.synced && !session.provider.hasUnsyncedChanges).toBe(true));
    expect(await storedText(name)).toBeNull(); // the store debounce has not run yet
    expect(await a.stop('SIGTERM')).toBe(0);
    expect(await storedText(name)).toBe('applied, not yet stored');
  });

  test('a store lock held by another (dead) node does not stop this node storing', async () => {
    const b = await node('node-b');
    const name = freshName();
    // What a node killed in the middle of a store leaves behind: its Redis lock on the document.
    expect(await redis.command('SET', `${REDIS_PREFIX}:${name}:lock`, 'dead-node', 'PX', '60000')).toBe('OK');
    const session = client(b).open(name);
    await until(() => expect(session.provider.synced).toBe(true));
    session.doc.getText('body').insert(0, 'stored despite the lock');
    await until(() => expect(storedAckCovers(session, session.doc)).toBe(true));
    expect(await storedText(name)).toBe('stored despite the lock');
  });

  test('PostgreSQL going away: stores fail without an acknowledgement, nothing is lost, and the next store after it returns covers everything', async () => {
    const b = await node('node-b');
    const name = freshName();
    const session = client(b).open(name);
    await until(() => expect(session.provider.synced).toBe(true));
    session.doc.getText('body').insert(0, 'before. ');
    await until(() => expect(storedAckCovers(session, session.doc)).toBe(true));

    await postgres.halt();
    try {
      session.doc.getText('body').insert(8, 'during. ');
      await until(() => expect(b.output()).toContain('storage-unavailable'));
      expect(storedAckCovers(session, session.doc)).toBe(false);
    } finally {
      await postgres.resume();
    }
    session.doc.getText('body').insert(16, 'after.');
    await until(() => expect(storedAckCovers(session, session.doc)).toBe(true));
    expect(await storedText(name)).toBe('before. during. after.');
  });

  test('a node that cannot reach PostgreSQL or Redis refuses to start, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-cluster-'));
    dirs.push(dir);
    const closedPort = 1; // tcpmux: nothing listens there on a test machine
    await expect(startRelayProcess(dir, { env: { QUIRE_RELAY_DATABASE_URL: `postgres://quire@127.0.0.1:${closedPort}/postgres` } })).rejects.toThrow(
      /exited with 1[\s\S]*could not start \(storage-unavailable\): PostgreSQL connecting to postgres:\/\/quire@127\.0\.0\.1:1\/postgres failed/,
    );
    await expect(
      startRelayProcess(dir, { env: { QUIRE_RELAY_DATABASE_URL: postgres.url, QUIRE_RELAY_REDIS_URL: `redis://127.0.0.1:${closedPort}` } }),
    ).rejects.toThrow(/exited with 1[\s\S]*could not start \(storage-unavailable\): Redis at 127\.0\.0\.1:1 is unreachable/);
    await expect(startRelayProcess(dir, { env: { QUIRE_RELAY_REDIS_URL: redis.url } })).rejects.toThrow(/QUIRE_RELAY_REDIS_URL needs QUIRE_RELAY_DATABASE_URL/);
  });
});
