/**
 * The relay as a real process on loopback: health, two clients converging, a graceful stop that loses
 * nothing, and the update guard refusing a malformed update for one document while the socket's other
 * document keeps syncing. Every client authenticates with a real owner capability (relay/testing/testSpace.ts).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/core/errors.ts';
import type { RelayHealth } from './healthExtension.ts';
import { RELAY_DB_FILE } from './server.ts';
import type { RelayClient } from './testing/relayClient.ts';
import { testSpace } from './testing/testSpace.ts';
import type { TestSpace } from './testing/testSpace.ts';
import { ackCoversDoc, parseStoredAck } from '../src/protocol/storedAck.ts';
import type { RelayProcess } from './testing/relayProcess.ts';
import { relayTestRig, text } from './testing/relayTestRig.ts';

/** Hocuspocus's outer message type for y-sync frames (MessageType.Sync in @hocuspocus/common). */
const HOCUSPOCUS_SYNC_MESSAGE = 0;
/** Not a Yjs update: a struct count whose varint runs past the end of the bytes. */
const GARBAGE = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x07, 0xde, 0xad, 0xbe, 0xef]);

const { dataDir, relay, client: connect, until, applied } = relayTestRig('relay');

/** Every document here belongs to one space; its owner's capability registers it with each fresh relay. */
let space: TestSpace;
const N = (docId: string) => space.doc(docId);
beforeAll(async () => {
  space = await testSpace();
});

function client(r: RelayProcess): RelayClient {
  return connect(r, space.ownerToken());
}

/** Reads what the relay stored for a document straight from its SQLite file. */
function storedText(name: string): string | null {
  const db = new Database(join(dataDir(), RELAY_DB_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT data FROM documents WHERE name = ?').get(name) as { data: Uint8Array } | undefined;
    if (!row) return null;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, row.data);
    return doc.getText('body').toString();
  } finally {
    db.close();
  }
}

describe('relay process', () => {
  test('answers the health endpoint with document and connection counts', async () => {
    const r = await relay();
    const res = await fetch(`${r.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ status: 'ok', documents: 0, connections: 0 } satisfies RelayHealth);

    const a = client(r).open(N('health-doc'));
    await applied(a);
    const loaded = (await (await fetch(`${r.httpUrl}/healthz`)).json()) as RelayHealth;
    expect(loaded.documents).toBe(1);
    expect(loaded.connections).toBe(1);
  });

  test('acknowledges a change only once it is stored: "synced" means the relay stored it', async () => {
    const r = await relay();
    const a = client(r).open(N('acked'));
    await applied(a);
    const covered = () => a.stateless.some((m) => {
      const snapshot = parseStoredAck(m);
      return snapshot !== null && ackCoversDoc(snapshot, a.doc);
    });
    a.doc.getText('body').insert(0, 'stored, then acknowledged');
    await applied(a);
    // Applied in the relay's memory is not stored: the store waits for the debounce, and so does the ack.
    expect(storedText(N('acked'))).not.toBe('stored, then acknowledged');
    expect(covered()).toBe(false);
    await until(() => expect(covered()).toBe(true));
    // When the acknowledgement arrives, the row already holds the change.
    expect(storedText(N('acked'))).toBe('stored, then acknowledged');
    // A change made after that is not covered by the old acknowledgement.
    a.doc.getText('body').insert(0, '+');
    expect(covered()).toBe(false);
    await until(() => expect(covered()).toBe(true));
    expect(storedText(N('acked'))).toBe('+stored, then acknowledged');
    // A deletion moves no clock: a state vector would call it stored at once; the snapshot does not.
    a.doc.getText('body').delete(0, 1);
    expect(covered()).toBe(false);
    await until(() => expect(covered()).toBe(true));
    expect(storedText(N('acked'))).toBe('stored, then acknowledged');
  });

  test('two clients converge on a document, edits both ways', async () => {
    const r = await relay();
    const a = client(r).open(N('shared'));
    const b = client(r).open(N('shared'));
    await Promise.all([applied(a), applied(b)]);

    a.doc.getText('body').insert(0, 'hello from A');
    await until(() => expect(text(b)).toBe('hello from A'));
    b.doc.getText('body').insert(0, 'B says: ');
    await until(() => expect(text(a)).toBe('B says: hello from A'));
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
  });

  test('a graceful stop right after the relay applied an edit stores it: a restart serves it', async () => {
    const first = await relay();
    const a = client(first).open(N('durable'));
    await applied(a);
    a.doc.getText('body').insert(0, 'kept across restarts');
    await applied(a);
    // Stop before the store debounce can have run: only the shutdown path stores this edit.
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('everything stored');
    expect(storedText(N('durable'))).toBe('kept across restarts');

    const second = await relay();
    const fresh = client(second).open(N('durable'));
    await until(() => expect(text(fresh)).toBe('kept across restarts'));
  });

  test('a malformed update is refused for its document only: not stored, not delivered, the socket lives on', async () => {
    expect(() => Y.decodeUpdate(GARBAGE)).toThrow();
    const first = await relay();
    const sender = client(first);
    const aFromSender = sender.open(N('doc-a'));
    const bFromSender = sender.open(N('doc-b'));
    const watcher = client(first);
    const aAtWatcher = watcher.open(N('doc-a'));
    const bAtWatcher = watcher.open(N('doc-b'));
    await Promise.all([aFromSender, bFromSender, aAtWatcher, bAtWatcher].map(applied));
    aFromSender.doc.getText('body').insert(0, 'valid A');
    await until(() => expect(text(aAtWatcher)).toBe('valid A'));

    // Valid Hocuspocus and y-sync framing around bytes that are not a Yjs update.
    const frame = encoding.createEncoder();
    encoding.writeVarString(frame, N('doc-a'));
    encoding.writeVarUint(frame, HOCUSPOCUS_SYNC_MESSAGE);
    syncProtocol.writeUpdate(frame, GARBAGE);
    sender.socket.send(encoding.toUint8Array(frame));

    await until(() => expect(aFromSender.closeReasons.join()).toContain(`${ErrorCode.InvalidUpdate}: `));
    // The same socket's other document still syncs both ways, so the socket is open.
    bFromSender.doc.getText('body').insert(0, 'B after the refusal');
    await until(() => expect(text(bAtWatcher)).toBe('B after the refusal'));
    bAtWatcher.doc.getText('body').insert(0, '> ');
    await until(() => expect(text(bFromSender)).toBe('> B after the refusal'));
    expect(bFromSender.closeReasons).toEqual([]);
    // Nothing the watcher received for doc A carries the garbage, and its document is unchanged.
    expect(aAtWatcher.received.some((m) => containsBytes(m, GARBAGE))).toBe(false);
    expect(text(aAtWatcher)).toBe('valid A');
    expect(aAtWatcher.closeReasons).toEqual([]);

    // Not stored: after a graceful stop, the row is exactly the valid content, and a restart serves it.
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(storedText(N('doc-a'))).toBe('valid A');
    expect(storedText(N('doc-b'))).toBe('> B after the refusal');
    const second = await relay();
    const reopened = client(second).open(N('doc-a'));
    await until(() => expect(text(reopened)).toBe('valid A'));
  });
});

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
