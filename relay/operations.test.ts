/**
 * What an operator sees of the relay, against the real process: refused updates make one bounded log line
 * each (no stack traces, repeated refusals summarised), a malformed Host header is a 400 (not a 500), and
 * /healthz hides its counts when told to.
 */
import { connect } from 'node:net';
import * as syncProtocol from 'y-protocols/sync';
import type * as encoding from 'lib0/encoding';
import { describe, expect, test } from 'vitest';
import { RelayCloseReason, parseCloseReason } from '../src/protocol/accessMessages.ts';
import type { RelayHealth } from './healthExtension.ts';
import { REFUSAL_LOG_LINES_PER_ADDRESS } from './RefusalLog.ts';
import { MessageType, frame } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import { relayTestRig } from './testing/relayTestRig.ts';

/** Invalid updates the noisy client sends, each on its own document. */
const INVALID_UPDATES = 200;
/** Authentications sent at once (the first registers the space, the rest hit the verified cache). */
const AUTH_BATCH = 50;
/** Not a Yjs update: a struct count whose varint runs past the end of the bytes. */
const GARBAGE = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x07, 0xde, 0xad, 0xbe, 0xef]);
/** The summary comes at the end of the log's interval (REFUSAL_LOG_INTERVAL_MS, 10 s). */
const SUMMARY_TIMEOUT_MS = 25_000;

const { relay, raw, until } = relayTestRig('operations');

/** Sends raw bytes as one HTTP request and resolves with the status line of the answer. */
function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('close', () => done(answer.split('\r\n')[0] ?? ''));
    socket.on('error', fail);
    socket.end(request);
  });
}

describe('relay operations', () => {
  test('200 invalid updates make a bounded number of one-line log entries, no stack trace, the rest summarised', { timeout: 60_000 }, async () => {
    const r = await relay();
    const space = await testSpace();
    const noisy = await raw(r);
    const docs = Array.from({ length: INVALID_UPDATES }, (_, i) => space.doc(`bad-${i}`));
    const token = space.ownerToken();
    // The space registered first, then one more session puts the capability in the verified cache (a
    // registration does not), then the rest in batches (the relay lets one socket authenticate at most 100
    // documents at once), each a cache hit: concurrent misses would each be a signature check.
    for (const i of [0, 1]) {
      noisy.auth(docs[i]!, token);
      await until(() => expect(noisy.events.filter((e) => e.kind === 'authenticated')).toHaveLength(i + 1));
    }
    for (let i = 2; i < docs.length; i += AUTH_BATCH) {
      for (const doc of docs.slice(i, i + AUTH_BATCH)) noisy.auth(doc, token);
      await until(() => expect(noisy.events.filter((e) => e.kind === 'authenticated')).toHaveLength(Math.min(i + AUTH_BATCH, docs.length)));
    }
    for (const doc of docs) {
      noisy.send(frame(doc, MessageType.Sync, (e: encoding.Encoder) => syncProtocol.writeUpdate(e, GARBAGE)));
    }
    await until(() => expect(noisy.events.filter((e) => e.kind === 'close' && parseCloseReason(e.reason) === RelayCloseReason.InvalidUpdate)).toHaveLength(INVALID_UPDATES));
    await until(() => expect(r.output()).toMatch(/\d+ more refusals from \S+ in the last \d+s/), SUMMARY_TIMEOUT_MS);

    const lines = r.output().split('\n');
    const refusals = lines.filter((l) => l.includes('invalid-update'));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThanOrEqual(REFUSAL_LOG_LINES_PER_ADDRESS);
    for (const l of refusals) expect(l).toMatch(/^Quire relay: refused \S+\/bad-\d+ for \S+ \(socket \w+\): invalid-update: /);
    expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]); // no stack frames
    const summary = lines.find((l) => l.includes('more refusals from'));
    expect(Number(/(\d+) more refusals/.exec(summary ?? '')?.[1])).toBe(INVALID_UPDATES - refusals.length);
    // Everything the relay printed is bounded, whatever the number of refusals.
    expect(lines.length).toBeLessThan(REFUSAL_LOG_LINES_PER_ADDRESS + 10);
  });

  test('a request or WebSocket upgrade with a malformed Host header is a 400; the relay stays healthy', async () => {
    const r = await relay();
    const upgrade = (host: string) =>
      `GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    for (const host of ['bad host', '[::1', 'a:b:c', '%']) {
      expect(await rawHttp(r.port, upgrade(host))).toBe('HTTP/1.1 400 Bad Request');
      expect(await rawHttp(r.port, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    }
    expect(await rawHttp(r.port, upgrade(`127.0.0.1:${r.port}`))).toBe('HTTP/1.1 101 Switching Protocols');
    const res = await fetch(`${r.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(r.output()).not.toMatch(/Error/);
  });

  test('/healthz shows its counts on loopback by default, and only the status with QUIRE_RELAY_HEALTH_DETAIL=0', async () => {
    const shown = await relay();
    expect(await (await fetch(`${shown.httpUrl}/healthz`)).json()).toEqual({ status: 'ok', documents: 0, connections: 0 } satisfies RelayHealth);
    expect(shown.output()).toContain('/healthz shows document and connection counts');
    const hidden = await relay({ QUIRE_RELAY_HEALTH_DETAIL: '0' });
    const res = await fetch(`${hidden.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' } satisfies RelayHealth);
    expect(hidden.output()).toContain('/healthz shows status only');
  });
});
