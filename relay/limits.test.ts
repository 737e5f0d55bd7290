/**
 * The relay's limits against the real process on loopback, with small limits set through the environment
 * (relay/limits.ts LIMIT_ENV): an update that would grow a document past the size cap is refused for that
 * document only, and a message flood is rate limited (the flooded document first, then the socket).
 */
import * as Y from 'yjs';
import { describe, expect, test } from 'vitest';
import { RelayCloseCode, RelayCloseReason, parseCloseReason } from '../src/protocol/accessMessages.ts';
import { LIMIT_ENV } from './limits.ts';
import { SyncType } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import { relayTestRig, text } from './testing/relayTestRig.ts';

/** The document cap in these tests: small, so a test document crosses it with one paste. */
const TEST_MAX_DOCUMENT_BYTES = 20_000;
/** The rate limit in these tests: 50 messages/s, 100 deep, the socket closed at the third refusal. */
const TEST_RATE = { messagesPerSecond: '50', messageBurst: '100', rateLimitStrikes: '3' };
/** Messages a flood sends at once: far past the burst. */
const FLOOD_MESSAGES = 400;

const { relay, client, raw, closeClients, until, applied } = relayTestRig('limits');

describe('relay limits', () => {
  test('an update that would grow a document past the size cap is refused for that document only; nothing of it is kept', async () => {
    const first = await relay({ [LIMIT_ENV.maxDocumentBytes]: String(TEST_MAX_DOCUMENT_BYTES) });
    const space = await testSpace();
    const owner = client(first, space.ownerToken());
    const big = owner.open(space.doc('big'));
    const small = owner.open(space.doc('small')); // same socket
    const watcher = client(first, space.ownerToken());
    const bigAtWatcher = watcher.open(space.doc('big'));
    const smallAtWatcher = watcher.open(space.doc('small'));
    await Promise.all([big, small, bigAtWatcher, smallAtWatcher].map(applied));

    // Growing in steps is fine while under the cap.
    for (let i = 0; i < 5; i++) big.doc.getText('body').insert(0, 'x'.repeat(2_000));
    await until(() => expect(text(bigAtWatcher)).toHaveLength(10_000));
    // One paste that would take it past the cap is refused.
    big.doc.getText('body').insert(0, 'y'.repeat(TEST_MAX_DOCUMENT_BYTES));
    await until(() => expect(big.closeReasons.map(parseCloseReason)).toContain(RelayCloseReason.TooLarge));
    expect(big.closeReasons[0]).toMatch(/^too-large: /);

    // The same socket's other document keeps syncing both ways.
    small.doc.getText('body').insert(0, 'small still syncs');
    await until(() => expect(text(smallAtWatcher)).toBe('small still syncs'));
    smallAtWatcher.doc.getText('body').insert(0, '> ');
    await until(() => expect(text(small)).toBe('> small still syncs'));
    expect(small.closeReasons).toEqual([]);
    expect(text(bigAtWatcher)).toHaveLength(10_000);

    // Not stored either: a restarted relay serves the document as it was before the paste. (Clients go
    // first: a provider left reconnecting to a stopped relay throws when destroyed mid-connect.)
    closeClients();
    expect(await first.stop('SIGTERM')).toBe(0);
    const second = await relay({ [LIMIT_ENV.maxDocumentBytes]: String(TEST_MAX_DOCUMENT_BYTES) });
    const reloaded = client(second, space.ownerToken()).open(space.doc('big'));
    await until(() => expect(text(reloaded)).toHaveLength(10_000));
    expect(text(reloaded)).not.toContain('y');
  });

  test('a flood is rate limited: the flooded document is closed, then, as it goes on, the whole socket; others are unaffected', async () => {
    const r = await relay({
      [LIMIT_ENV.messagesPerSecond]: TEST_RATE.messagesPerSecond,
      [LIMIT_ENV.messageBurst]: TEST_RATE.messageBurst,
      [LIMIT_ENV.rateLimitStrikes]: TEST_RATE.rateLimitStrikes,
    });
    const space = await testSpace();
    const bystander = client(r, space.ownerToken()).open(space.doc('calm'));
    const calmWatcher = client(r, space.ownerToken()).open(space.doc('calm'));
    await Promise.all([applied(bystander), applied(calmWatcher)]);

    const flooder = await raw(r);
    const docs = ['f1', 'f2', 'f3'].map((d) => space.doc(d));
    for (const d of docs) flooder.auth(d, space.ownerToken());
    await until(() => expect(flooder.events.filter((e) => e.kind === 'authenticated')).toHaveLength(docs.length));
    const stateVector = Y.encodeStateVector(new Y.Doc());

    // A normal pace is served.
    flooder.sync(docs[0]!, SyncType.Step1, stateVector);
    await until(() => expect(flooder.events.some((e) => e.doc === docs[0] && e.kind === 'sync')).toBe(true));

    // A burst far past the limit: the first document is closed with rate-limited; the socket lives on.
    for (let i = 0; i < FLOOD_MESSAGES; i++) flooder.sync(docs[0]!, SyncType.Step1, stateVector);
    await until(() => expect(flooder.events.filter((e) => e.kind === 'close').map((e) => e.kind === 'close' && parseCloseReason(e.reason))).toEqual([RelayCloseReason.RateLimited]));
    // Each SyncStep1 is answered with a SyncStep2: count those.
    const served = flooder.events.filter((e) => e.doc === docs[0] && e.kind === 'sync' && e.type === SyncType.Step2).length;
    expect(served).toBeLessThan(Number(TEST_RATE.messageBurst) + 20);
    expect(flooder.closedWith()).toBeNull();

    // Keeping on with the other documents: the socket is closed.
    for (const d of docs.slice(1)) for (let i = 0; i < FLOOD_MESSAGES; i++) flooder.sync(d, SyncType.Step1, stateVector);
    await until(() => expect(flooder.closedWith()).toEqual({ code: RelayCloseCode[RelayCloseReason.RateLimited], reason: RelayCloseReason.RateLimited }));

    // Other clients never noticed.
    bystander.doc.getText('body').insert(0, 'unaffected');
    await until(() => expect(text(calmWatcher)).toBe('unaffected'));
    expect(bystander.closeReasons).toEqual([]);
  });
});
