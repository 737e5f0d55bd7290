/**
 * The harness of the relay's process tests (`relay/*.test.ts`): `relayTestRig` gives each test of a file a
 * fresh data directory for the relay processes it starts, and after the test closes everything it opened
 * (clients, raw sockets, relays killed with SIGKILL) and removes the directory, so no test sees another's
 * stored state or leaves a process behind. Also the waits every such test uses (`until`, `applied`) and `text`.
 * The Playwright specs have the same idea for browsers in `e2e/devices.ts` (`relayRig`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { encodeAccessRequest, parseAccessReply } from '../../src/protocol/accessMessages.ts';
import type { AccessReply, AccessRequest } from '../../src/protocol/accessMessages.ts';
import { connectClient } from './relayClient.ts';
import type { OpenDoc, RelayClient } from './relayClient.ts';
import { startRelayProcess } from './relayProcess.ts';
import type { RelayProcess } from './relayProcess.ts';
import { openRawSocket } from './rawRelaySocket.ts';
import type { RawRelaySocket } from './rawRelaySocket.ts';

/** How long a change may take to cross the relay on loopback before `until` (and so the test) calls it lost. */
export const SYNC_TIMEOUT_MS = 10_000;
/** How often `until` checks again while it waits. */
export const POLL_MS = 20;

/** A document's body text. */
export const text = (d: OpenDoc) => d.doc.getText('body').toString();

export interface RelayTestRigOptions {
  /** Environment for every relay the file starts (a call's own `env` is laid over it), e.g. a small limit. */
  env?: Record<string, string>;
  /** `until`'s bound when a call gives none; default SYNC_TIMEOUT_MS. */
  syncTimeoutMs?: number;
}

/** What a test file gets from `relayTestRig`; every function may be destructured. */
export interface RelayTestRig {
  /** The running test's data directory (kept across the relays it starts, so a restart finds what was stored). */
  dataDir(): string;
  /** Starts a relay process on the test's data directory (`port` for a restart on the same address). */
  relay(env?: Record<string, string>, port?: number): Promise<RelayProcess>;
  /** A Quire client (HocuspocusProvider socket) connected to `r` with `token`. */
  client(r: RelayProcess, token: string): RelayClient;
  /** A raw WebSocket to `r`, for frames a real client would never send. */
  raw(r: RelayProcess): Promise<RawRelaySocket>;
  /** Destroys the test's clients now (before a relay stops: a provider left reconnecting to a stopped relay throws when destroyed mid-connect). */
  closeClients(): void;
  /** Closes the test's raw sockets now. */
  closeRaws(): void;
  /** Waits until `check` passes, polling every POLL_MS, for at most `timeout` ms (default: the rig's sync timeout). */
  until(check: () => void, timeout?: number): Promise<void>;
  /** Sends an owner command (src/protocol/accessMessages.ts) on `on` and resolves with the relay's reply to it. */
  command(on: OpenDoc, request: AccessRequest): Promise<AccessReply>;
  /** The relay applied every local change of `d` (its SyncStatus answers): what a graceful stop must then store. */
  applied(d: OpenDoc): Promise<void>;
}

/**
 * Registers, for the calling test file, a fresh data directory per test (`quire-<name>-test-…` in the system's
 * temporary directory) and, after each test, the closing of every client, raw socket and relay the test
 * opened through the rig, then the directory's removal. A file's own extra set-up and clean-up stays in
 * the file, in hooks registered after this call (its afterEach then runs before the rig's).
 */
export function relayTestRig(name: string, options: RelayTestRigOptions = {}): RelayTestRig {
  const timeout = options.syncTimeoutMs ?? SYNC_TIMEOUT_MS;
  let dataDir = '';
  const relays: RelayProcess[] = [];
  const clients: RelayClient[] = [];
  const raws: RawRelaySocket[] = [];
  const closeClients = () => {
    for (const c of clients.splice(0)) c.destroy();
  };
  const closeRaws = () => {
    for (const r of raws.splice(0)) r.close();
  };
  const until = async (check: () => void, within = timeout) => {
    await vi.waitFor(check, { timeout: within, interval: POLL_MS });
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), `quire-${name}-test-`));
  });
  afterEach(async () => {
    closeClients();
    closeRaws();
    for (const r of relays.splice(0)) await r.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    dataDir: () => dataDir,
    async relay(env = {}, port) {
      const r = await startRelayProcess(dataDir, { env: { ...options.env, ...env }, port });
      relays.push(r);
      return r;
    },
    client(r, token) {
      const c = connectClient(r.url, token);
      clients.push(c);
      return c;
    },
    async raw(r) {
      const s = await openRawSocket(r.url);
      raws.push(s);
      return s;
    },
    closeClients,
    closeRaws,
    until,
    async command(on, request) {
      on.provider.sendStateless(encodeAccessRequest(request));
      let reply: AccessReply | undefined;
      await until(() => {
        reply = on.stateless.map(parseAccessReply).find((m) => m?.req === request.req) ?? undefined;
        expect(reply).toBeDefined();
      });
      return reply!;
    },
    applied: (d) => until(() => expect(d.provider.synced && !d.provider.hasUnsyncedChanges).toBe(true)),
  };
}
