/**
 * Authentication rate limits against the real relay process (relay/authRateLimit.ts): a flood of
 * forged-signature owner authentications is cut off after a bounded number of signature checks, per socket
 * and per address, and costs the relay bounded CPU; an honest client authenticating thousands of pages with
 * one capability (the verified cache answers) is never limited.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { RelayCloseCode, RelayCloseReason, parseCloseReason } from '../src/protocol/accessMessages.ts';
import { LIMIT_ENV } from './limits.ts';
import type { RawRelaySocket } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import { relayTestRig, text } from './testing/relayTestRig.ts';

/** Signature-check bounds in these tests: 20 per socket, 100 per address, slow refills. */
const TEST_LIMITS = {
  [LIMIT_ENV.signatureCheckBurst]: '20',
  [LIMIT_ENV.signatureChecksPerSecond]: '1',
  [LIMIT_ENV.addressSignatureCheckBurst]: '100',
  [LIMIT_ENV.addressSignatureChecksPerSecond]: '10',
};
/** Forged attempts the one-socket flood sends (the relay closes the socket long before). */
const FLOOD_ATTEMPTS = 3_000;
/** Forged attempts the reconnecting flood makes in all. */
const RECONNECTING_FLOOD_ATTEMPTS = 3_000;
/** Attempts one flooding socket keeps unanswered (the relay allows 100 pending documents per socket). */
const FLOOD_IN_FLIGHT = 50;
/**
 * The relay's CPU time for the one-socket flood may not exceed this. Unbounded, all FLOOD_ATTEMPTS are
 * answered (measured ~0.15-0.25 ms each here, ~450-750 ms); bounded, fewer than FLOOD_IN_FLIGHT * 3 are.
 */
const MAX_FLOOD_CPU_MS = 250;
/** Pages the honest client authenticates, SYNC_CONCURRENCY (4) at a time, as a first background sync does. */
const HONEST_PAGES = 2_000;
const HONEST_CONCURRENCY = 4;
/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ). */
const CLOCK_TICKS_PER_SECOND = 100;

const { relay, client, raw, until, applied } = relayTestRig('auth-rate');

const tick = () => new Promise((done) => setImmediate(done));

/** The relay process's CPU time (user + system) in ms, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND; // utime, stime
}

const answers = (s: RawRelaySocket) => s.events.filter((e) => e.kind === 'denied' || e.kind === 'authenticated');
const denialsOf = (s: RawRelaySocket, reason: RelayCloseReason) => s.events.filter((e) => e.kind === 'denied' && parseCloseReason(e.reason) === reason).length;

/** Sends `attempts` Auth frames, FLOOD_IN_FLIGHT unanswered at most, until done or the relay closes the socket. */
async function authenticateMany(s: RawRelaySocket, attempts: number, inFlight: number, doc: (i: number) => string, token: string): Promise<number> {
  let sent = 0;
  while (sent < attempts && s.closedWith() === null) {
    if (sent - answers(s).length < inFlight) s.auth(doc(sent++), token);
    else await tick();
  }
  return sent;
}

describe('authentication rate limits', () => {
  test('a forged-signature owner flood on one socket is refused with rate-limited past the bound and the socket closed, at bounded CPU; others sync on', { timeout: 60_000 }, async () => {
    const r = await relay(TEST_LIMITS);
    const space = await testSpace();
    const a = client(r, space.ownerToken()).open(space.doc('calm'));
    const b = client(r, space.ownerToken()).open(space.doc('calm'));
    await Promise.all([applied(a), applied(b)]);
    // Same space id, another key: every attempt is a signature check that fails (failures are not cached).
    const forged = (await testSpace(space.spaceId)).ownerToken();

    const cpuBefore = cpuMs(r.pid);
    const s = await raw(r);
    const sent = await authenticateMany(s, FLOOD_ATTEMPTS, FLOOD_IN_FLIGHT, (i) => space.doc(`forged-${i}`), forged);
    await until(() => expect(s.closedWith()).toEqual({ code: RelayCloseCode[RelayCloseReason.RateLimited], reason: RelayCloseReason.RateLimited }));
    // Each `unauthorized` is a signature check that ran; `rate-limited` ones were refused before it.
    const signatureChecks = denialsOf(s, RelayCloseReason.Unauthorized);
    const rateLimited = denialsOf(s, RelayCloseReason.RateLimited);
    // Let the relay finish what it had in hand before reading its CPU time.
    a.doc.getText('body').insert(0, 'unaffected');
    await until(() => expect(text(b)).toBe('unaffected'));
    const cpu = cpuMs(r.pid) - cpuBefore;
    console.log(`one-socket flood: ${sent} forged attempts sent, ${signatureChecks} signature checks, ${rateLimited} rate-limited answers; relay CPU ${cpu} ms`);

    expect(rateLimited).toBeGreaterThan(0);
    expect(signatureChecks).toBeLessThanOrEqual(Number(TEST_LIMITS[LIMIT_ENV.signatureCheckBurst]) + 5);
    // Answered at all: the burst, the strikes, and what was in flight when the socket was closed.
    expect(signatureChecks + rateLimited).toBeLessThan(FLOOD_IN_FLIGHT * 3);
    expect(cpu).toBeLessThan(MAX_FLOOD_CPU_MS);

    // The honest pair never noticed.
    b.doc.getText('body').insert(0, '> ');
    await until(() => expect(text(a)).toBe('> unaffected'));
    expect(a.closeReasons).toEqual([]);
    expect(b.closeReasons).toEqual([]);
  });

  test('a flood that reconnects whenever it is closed gets no more signature checks than its address allows', { timeout: 120_000 }, async () => {
    const r = await relay(TEST_LIMITS);
    const space = await testSpace();
    const owner = client(r, space.ownerToken()).open(space.doc('space'));
    await applied(owner);
    const forged = (await testSpace(space.spaceId)).ownerToken();
    const started = Date.now();
    let attempts = 0;
    let sockets = 0;
    let signatureChecks = 0;
    while (attempts < RECONNECTING_FLOOD_ATTEMPTS) {
      const s = await raw(r);
      sockets++;
      attempts += await authenticateMany(s, RECONNECTING_FLOOD_ATTEMPTS - attempts, FLOOD_IN_FLIGHT, (i) => space.doc(`forged-${sockets}-${i}`), forged);
      const last = attempts >= RECONNECTING_FLOOD_ATTEMPTS; // the last socket may stop short of its strikes
      if (!last) await until(() => expect(s.closedWith()).toEqual({ code: RelayCloseCode[RelayCloseReason.RateLimited], reason: RelayCloseReason.RateLimited }));
      else await until(() => expect(answers(s).length >= 1 || s.closedWith() !== null).toBe(true));
      signatureChecks += denialsOf(s, RelayCloseReason.Unauthorized);
      s.close();
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`reconnecting flood: ${attempts} forged attempts on ${sockets} sockets in ${seconds.toFixed(1)} s; ${signatureChecks} signature checks`);
    const addressBound = Number(TEST_LIMITS[LIMIT_ENV.addressSignatureCheckBurst]) + Number(TEST_LIMITS[LIMIT_ENV.addressSignatureChecksPerSecond]) * (seconds + 1);
    expect(signatureChecks).toBeLessThanOrEqual(addressBound);
  });

  test('one socket authenticating 2,000 pages with one capability, 4 at a time, is never limited (the verified cache answers)', { timeout: 120_000 }, async () => {
    const r = await relay(TEST_LIMITS);
    const space = await testSpace();
    const owner = client(r, space.ownerToken()).open(space.doc('space')); // registers the space
    await applied(owner);
    const editor = await space.invite('editor');
    const s = await raw(r);
    const sent = await authenticateMany(s, HONEST_PAGES, HONEST_CONCURRENCY, (i) => space.doc(`page-${i}`), editor.token);
    expect(sent).toBe(HONEST_PAGES);
    await until(() => expect(answers(s)).toHaveLength(HONEST_PAGES));
    expect(s.events.filter((e) => e.kind === 'denied')).toEqual([]);
    expect(s.closedWith()).toBeNull();
  });
});
