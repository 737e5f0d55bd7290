/**
 * Invites and roles, against the real relay process on loopback: the owner registers the space and syncs;
 * an editor reads and writes; a viewer reads, and a valid update it sends from a raw WebSocket client is
 * refused (never stored, never broadcast); every kind of bad capability gets the same denial; expiry and
 * revocation end live sessions and refuse later ones; owner commands are the owner's only.
 */
import * as Y from 'yjs';
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/core/errors.ts';
import { AccessMessageType, RelayCloseReason, parseCloseReason } from '../src/protocol/accessMessages.ts';
import { ownerCapability, randomId } from '../src/protocol/capability.ts';
import { relayToken } from '../src/protocol/inviteLink.ts';
import { relayMemberId } from '../src/protocol/relayMemberId.ts';
import type { OpenDoc } from './testing/relayClient.ts';
import type { RelayProcess } from './testing/relayProcess.ts';
import { SyncType } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import type { TestSpace } from './testing/testSpace.ts';
import { relayTestRig, text } from './testing/relayTestRig.ts';

/** Time for a refused message to have been broadcast, had the relay broadcast it (loopback: ~1 ms). */
const SETTLE_MS = 500;
/** An invite's remaining life when a test connects with it: enough to sync first on a loaded machine. */
const SHORT_LIFE_MS = 3_000;

const { relay, client, raw, closeClients, until, applied, command } = relayTestRig('auth');

const settle = () => new Promise((done) => setTimeout(done, SETTLE_MS));

/** An owner client with the space registered and `docId` holding `content`, applied by the relay. */
async function ownerWith(r: RelayProcess, space: TestSpace, docId: string, content: string): Promise<OpenDoc> {
  const d = client(r, space.ownerToken()).open(space.doc(docId));
  await applied(d);
  d.doc.getText('body').insert(0, content);
  await applied(d);
  return d;
}


describe('roles', () => {
  test('the owner registers the space; an editor invite reads and writes; a viewer invite reads only', async () => {
    const r = await relay();
    const space = await testSpace();
    const owner = await ownerWith(r, space, 'page', 'from the owner');
    expect(owner.scopes).toEqual(['read-write']);

    const editor = client(r, (await space.invite('editor')).token).open(space.doc('page'));
    await until(() => expect(text(editor)).toBe('from the owner'));
    expect(editor.scopes).toEqual(['read-write']);
    editor.doc.getText('body').insert(0, 'editor + ');
    await until(() => expect(text(owner)).toBe('editor + from the owner'));

    const viewer = client(r, (await space.invite('viewer')).token).open(space.doc('page'));
    await until(() => expect(text(viewer)).toBe('editor + from the owner'));
    // The client is told it is read-only: the UI shows it, and does not offer editing.
    expect(viewer.scopes).toEqual(['readonly']);
    owner.doc.getText('body').insert(0, 'live: ');
    await until(() => expect(text(viewer)).toBe('live: editor + from the owner'));
  });

  test("a viewer's valid update from a raw client is refused with forbidden: never broadcast, never stored", async () => {
    const first = await relay();
    const space = await testSpace();
    const owner = await ownerWith(first, space, 'page', 'original');
    const editor = client(first, (await space.invite('editor')).token).open(space.doc('page'));
    await until(() => expect(text(editor)).toBe('original'));
    const viewerToken = (await space.invite('viewer')).token;

    // A well-formed Yjs update on top of the current document: exactly what a modified client would send.
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(owner.doc));
    const before = Y.encodeStateVector(forged);
    forged.getText('body').insert(0, 'VIEWER WAS HERE ');
    const update = Y.encodeStateAsUpdate(forged, before);

    for (const type of [SyncType.Update, SyncType.Step2]) {
      const s = await raw(first);
      s.auth(space.doc('page'), viewerToken);
      await until(() => expect(s.events).toContainEqual({ doc: space.doc('page'), kind: 'authenticated', scope: 'readonly' }));
      // An honest viewer's sync (SyncStep1, then an empty SyncStep2) is not a write and is answered.
      s.sync(space.doc('page'), SyncType.Step1, Y.encodeStateVector(new Y.Doc()));
      s.sync(space.doc('page'), SyncType.Step2, Y.encodeStateAsUpdate(new Y.Doc()));
      await until(() => expect(s.events.some((e) => e.kind === 'sync' && e.type === SyncType.Step2)).toBe(true));
      expect(s.events.filter((e) => e.kind === 'close')).toEqual([]);

      s.sync(space.doc('page'), type, update);
      await until(() => expect(s.events.filter((e) => e.kind === 'close')).toHaveLength(1));
      const closed = s.events.find((e) => e.kind === 'close');
      expect(closed && closed.kind === 'close' && parseCloseReason(closed.reason)).toBe(RelayCloseReason.Forbidden);
    }

    // Never broadcast: the editor and the owner, connected all along, never see it; later edits still flow.
    editor.doc.getText('body').insert(0, 'after: ');
    await until(() => expect(text(owner)).toBe('after: original'));
    await settle();
    expect(text(editor)).toBe('after: original');
    expect(text(owner)).toBe('after: original');

    // Never stored: a restarted relay serves the owner the document without it. (Clients go first: a
    // provider left reconnecting to a stopped relay throws when destroyed mid-connect.)
    closeClients();
    expect(await first.stop('SIGTERM')).toBe(0);
    const second = await relay();
    const reloaded = client(second, space.ownerToken()).open(space.doc('page'));
    await until(() => expect(text(reloaded)).toBe('after: original'));
  });
});

describe('denials', () => {
  test('no capability, a forged one, a widened role, another space, an unknown space: one answer, nothing readable', async () => {
    const r = await relay();
    const space = await testSpace();
    await ownerWith(r, space, 'page', 'secret');
    const other = await testSpace();
    await ownerWith(r, other, 'page', 'other secret');
    const attacker = await testSpace(space.spaceId); // its own keys, the victim's space id
    const viewer = await space.invite('viewer');
    const [head, body, sig] = viewer.capability.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const widened = `${head}.${Buffer.from(JSON.stringify({ ...claims, role: 'editor' })).toString('base64url')}.${sig}`;
    const token = (capability: string) => relayToken({ capability, memberId: randomId(), name: 'x' });
    const unknown = await testSpace();

    const attempts: [string, string, string][] = [
      ['no capability', space.doc('page'), ''],
      ['not a token', space.doc('page'), 'test'],
      ['an owner capability signed by another key', space.doc('page'), attacker.ownerToken()],
      ['a widened role', space.doc('page'), token(widened)],
      ["another space's owner capability", space.doc('page'), other.ownerToken()],
      ["another space's invite", space.doc('page'), (await other.invite('editor')).token],
      ['an unknown space, invite', unknown.doc('page'), (await unknown.invite('editor')).token],
      ['a malformed name', 'no-slash', space.ownerToken()],
    ];
    // One socket per attempt: Hocuspocus authenticates one session per document name and socket at a time.
    const sockets = await Promise.all(attempts.map(() => raw(r)));
    attempts.forEach(([, doc, t], i) => sockets[i]!.auth(doc, t));
    await until(() => expect(sockets.every((s) => s.events.some((e) => e.kind === 'denied'))).toBe(true));
    // Ask for content anyway, on every refused name.
    attempts.forEach(([, doc], i) => sockets[i]!.sync(doc, SyncType.Step1, Y.encodeStateVector(new Y.Doc())));
    await settle();
    attempts.forEach(([why, doc], i) => {
      expect(sockets[i]!.events, why).toEqual([{ doc, kind: 'denied', reason: RelayCloseReason.Unauthorized }]);
      expect(sockets[i]!.closedWith(), why).toBeNull(); // a denial is per document: the socket stays open
    });
    // The attacker's key did not replace the registered one: the owner still gets in, and a reserved name is refused.
    const again = await raw(r);
    again.auth(space.doc('page'), space.ownerToken());
    again.auth(space.doc('.access'), space.ownerToken());
    // Only the answers to the two Auth frames count here (a stored acknowledgement also arrives for the page).
    await until(() => expect(again.events.filter((e) => e.kind === 'authenticated' || e.kind === 'denied')).toHaveLength(2));
    expect(again.events).toContainEqual({ doc: space.doc('page'), kind: 'authenticated', scope: 'read-write' });
    expect(again.events).toContainEqual({ doc: space.doc('.access'), kind: 'denied', reason: `${RelayCloseReason.Forbidden}: reserved document name` });
  });

  test('a first owner registers an unknown space; the same space id with another key is then refused', async () => {
    const r = await relay();
    const space = await testSpace();
    const s = await raw(r);
    s.auth(space.doc('space'), space.ownerToken());
    await until(() => expect(s.events).toContainEqual({ doc: space.doc('space'), kind: 'authenticated', scope: 'read-write' }));
    const squatter = await ownerCapability(space.spaceId, (await testSpace()).keys);
    s.auth(space.doc('other'), relayToken({ capability: squatter, memberId: randomId(), name: 'x' }));
    await until(() => expect(s.events).toContainEqual({ doc: space.doc('other'), kind: 'denied', reason: RelayCloseReason.Unauthorized }));
  });
});

describe('expiry and revocation', () => {
  test('an invite works until it expires: the live session is closed at expiry, later ones are refused', async () => {
    const r = await relay();
    const space = await testSpace();
    const owner = await ownerWith(r, space, 'page', 'shared');
    const expiresAt = Date.now() + SHORT_LIFE_MS;
    const invite = await space.invite('editor', expiresAt);
    const editor = client(r, invite.token).open(space.doc('page'));
    await until(() => expect(text(editor)).toBe('shared'));
    editor.doc.getText('body').insert(0, 'in time: ');
    await until(() => expect(text(owner)).toBe('in time: shared'));

    await until(() => expect(editor.closeReasons.map(parseCloseReason)).toContain(RelayCloseReason.Expired));
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    const late = await raw(r);
    late.auth(space.doc('page'), invite.token);
    await until(() => expect(late.events).toEqual([{ doc: space.doc('page'), kind: 'denied', reason: RelayCloseReason.Expired }]));
    // The owner's session is untouched.
    owner.doc.getText('body').insert(0, '!');
    await applied(owner);
    expect(owner.closeReasons).toEqual([]);
  });

  test('revoking an invite closes its live sessions at once and refuses it later', async () => {
    const r = await relay();
    const space = await testSpace();
    const owner = await ownerWith(r, space, 'space', 'tree');
    const invite = await space.invite('editor');
    const kept = await space.invite('editor');
    const a = client(r, invite.token).open(space.doc('space'));
    const b = client(r, kept.token).open(space.doc('space'));
    await until(() => expect([text(a), text(b)]).toEqual(['tree', 'tree']));

    expect(await command(owner, { t: AccessMessageType.RevokeInvite, req: 'r1', inviteId: invite.inviteId })).toEqual({ t: AccessMessageType.Reply, req: 'r1', ok: true });
    await until(() => expect(a.closeReasons.map(parseCloseReason)).toContain(RelayCloseReason.Revoked));
    const later = await raw(r);
    later.auth(space.doc('other-page'), invite.token);
    await until(() => expect(later.events).toEqual([{ doc: space.doc('other-page'), kind: 'denied', reason: RelayCloseReason.Revoked }]));
    // The other invite keeps working.
    b.doc.getText('body').insert(0, 'still ');
    await until(() => expect(text(owner)).toBe('still tree'));
    expect(b.closeReasons).toEqual([]);
  });

  test('revoking a member closes that device at once; another member of the same invite keeps working', async () => {
    const r = await relay();
    const space = await testSpace();
    const owner = await ownerWith(r, space, 'space', 'tree');
    const invite = await space.invite('viewer');
    const otherMember = relayToken({ capability: invite.capability, memberId: randomId(), name: 'Second' });
    const a = client(r, invite.token).open(space.doc('space'));
    const b = client(r, otherMember).open(space.doc('space'));
    await until(() => expect([text(a), text(b)]).toEqual(['tree', 'tree']));

    const listed = await command(owner, { t: AccessMessageType.ListMembers, req: 'l1' });
    const members = listed.ok ? (listed.members ?? []) : [];
    // The relay lists each device under an id derived from its invite and its own member id.
    const listedId = relayMemberId(invite.inviteId, invite.memberId);
    const otherId = relayMemberId(invite.inviteId, (JSON.parse(otherMember) as { member: string }).member);
    expect(members.filter((m) => m.role === 'viewer').map((m) => m.memberId).sort()).toEqual([listedId, otherId].sort());
    expect(members.filter((m) => m.role === 'owner')).toHaveLength(1);
    expect(members.find((m) => m.name === 'Second')).toMatchObject({ inviteId: invite.inviteId });
    expect(listed.ok && listed.members?.find((m) => m.memberId === listedId)).toMatchObject({ inviteId: invite.inviteId, role: 'viewer' });

    expect((await command(owner, { t: AccessMessageType.RevokeMember, req: 'r2', memberId: listedId })).ok).toBe(true);
    await until(() => expect(a.closeReasons.map(parseCloseReason)).toContain(RelayCloseReason.Revoked));
    const later = await raw(r);
    later.auth(space.doc('space'), invite.token);
    await until(() => expect(later.events).toEqual([{ doc: space.doc('space'), kind: 'denied', reason: RelayCloseReason.Revoked }]));
    owner.doc.getText('body').insert(0, 'still ');
    await until(() => expect(text(b)).toBe('still tree'));
    expect(b.closeReasons).toEqual([]);
  });

  test('owner commands are refused from an editor, and the owner capability cannot be revoked', async () => {
    const r = await relay();
    const space = await testSpace();
    const owner = await ownerWith(r, space, 'space', 'tree');
    const invite = await space.invite('editor');
    const editor = client(r, invite.token).open(space.doc('space'));
    await until(() => expect(text(editor)).toBe('tree'));
    expect(await command(editor, { t: AccessMessageType.RevokeInvite, req: 'e1', inviteId: invite.inviteId })).toMatchObject({ ok: false, code: ErrorCode.Forbidden });
    expect(await command(editor, { t: AccessMessageType.ListMembers, req: 'e2' })).toMatchObject({ ok: false, code: ErrorCode.Forbidden });
    expect(await command(owner, { t: AccessMessageType.RevokeInvite, req: 'o1', inviteId: 'owner' })).toMatchObject({ ok: false, code: ErrorCode.InvalidOperation });
    // Nothing was revoked.
    editor.doc.getText('body').insert(0, 'ok ');
    await until(() => expect(text(owner)).toBe('ok tree'));
  });
});
