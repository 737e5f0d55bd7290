/**
 * Updates that decode but make Yjs throw, against the real relay process (relay/shadowGuardExtension.ts):
 * pinned seeds of the corpus in relay/testing/corruptUpdates.ts, each applied to the realistic page it was
 * made for. Before the shadow guard, y-protocols swallowed the throw, the relay answered "applied", and for
 * two of these seeds Yjs kept (and the relay broadcast and stored) a prefix of the update.
 */
import * as Y from 'yjs';
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/core/errors.ts';
import { classify, corruptCase, realisticPage } from './testing/corruptUpdates.ts';
import { SyncType } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import { relayTestRig } from './testing/relayTestRig.ts';

const SYNC_TIMEOUT_MS = 15_000;
/** Edits in each realistic page (as in the corpus measurement of decision 0013). */
const PAGE_EDITS = 300;
/**
 * Seeds whose update passes the shape check and throws on its page: 24646 ("reading 'id'") and 24775
 * ("Unexpected case") after integrating a prefix, 24485 before changing anything. The page of a seed is
 * realisticPage(seed % 10 + 1000), as in the corpus run.
 */
const PINNED_SEEDS = [24646, 24775, 24485];

const { relay, client, raw, closeClients, until, applied } = relayTestRig('shadow-guard', { syncTimeoutMs: SYNC_TIMEOUT_MS });

/** A document's content and exactly which structs it holds: equal for equal documents. */
const contentOf = (doc: Y.Doc) => ({
  clocks: [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(([a], [b]) => a - b),
  body: doc.getXmlFragment('default').toString(),
  meta: doc.getMap('meta').toJSON(),
  links: doc.getArray('links').toJSON(),
});

describe('shadow guard', () => {
  test(`updates that decode but make Yjs throw (seeds ${PINNED_SEEDS.join(', ')}) are refused with invalid-update: never applied, broadcast or stored`, async () => {
    const first = await relay();
    const space = await testSpace();
    const cases = PINNED_SEEDS.map((seed) => ({ name: space.doc(`page-${seed}`), ...corruptCase(seed, realisticPage((seed % 10) + 1000, PAGE_EDITS)) }));
    // The corpus says what these are: past the shape check, and throwing on their page.
    expect(cases.map((c) => classify(c.base, c.update))).toEqual(cases.map(() => 'throws'));

    // The owner puts each page on the relay; an observer on another socket follows it.
    const owner = client(first, space.ownerToken());
    const observer = client(first, space.ownerToken());
    const pages = cases.map((c) => {
      const mine = owner.open(c.name);
      Y.applyUpdate(mine.doc, c.base);
      return { ...c, mine, theirs: observer.open(c.name) };
    });
    await Promise.all(pages.flatMap((p) => [applied(p.mine), applied(p.theirs)]));
    for (const p of pages) await until(() => expect(contentOf(p.theirs.doc)).toEqual(contentOf(p.mine.doc)));
    const expected = pages.map((p) => contentOf(p.mine.doc));

    // An editor's modified client sends each corrupt update.
    const editor = await raw(first);
    const editorToken = (await space.invite('editor')).token;
    for (const p of pages) editor.auth(p.name, editorToken);
    await until(() => expect(editor.events.filter((e) => e.kind === 'authenticated')).toHaveLength(pages.length));
    for (const p of pages) editor.sync(p.name, SyncType.Update, p.update);

    // Each is refused for its document: invalid-update, no "applied" status; the socket lives on.
    await until(() => expect(editor.events.filter((e) => e.kind === 'close').map((e) => e.doc).sort()).toEqual(pages.map((p) => p.name).sort()));
    for (const e of editor.events) if (e.kind === 'close') expect(e.reason).toMatch(new RegExp(`^${ErrorCode.InvalidUpdate}: `));
    expect(editor.events.filter((e) => e.kind === 'status' && e.applied)).toEqual([]);
    expect(editor.closedWith()).toBeNull();

    // The observer never got any of it: a marker the owner types after the refusal arrives, on a document
    // that is exactly the owner's (the owner's copy never applied the corrupt bytes).
    for (const p of pages) p.mine.doc.getMap('meta').set('marker', `after ${p.seed}`);
    for (const [i, p] of pages.entries()) {
      await until(() => expect(p.theirs.doc.getMap('meta').get('marker')).toBe(`after ${p.seed}`));
      const before = expected[i]!;
      // What the page held before the refusal, plus the marker (one struct of the owner's client), nothing else.
      const clocks = [...before.clocks, [p.mine.doc.clientID, 1]].sort(([a], [b]) => a! - b!);
      expect(contentOf(p.theirs.doc)).toEqual({ ...before, clocks, meta: { ...before.meta, marker: `after ${p.seed}` } });
    }

    // Not stored: after a graceful stop and a restart, each page is exactly what the owner has.
    const final = pages.map((p) => contentOf(p.mine.doc));
    closeClients();
    expect(await first.stop('SIGTERM')).toBe(0);
    const second = await relay();
    const reader = client(second, space.ownerToken());
    for (const [i, p] of pages.entries()) {
      const reopened = reader.open(p.name);
      await applied(reopened);
      await until(() => expect(contentOf(reopened.doc).meta).toEqual(final[i]!.meta));
      expect(contentOf(reopened.doc)).toEqual(final[i]);
    }
  });
});
