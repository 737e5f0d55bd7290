/**
 * Who may create spaces (relay/registrationPolicy.ts), against the real relay process on loopback: with an
 * access code set, a new space's owner must bring it (none or a wrong one: `registration-closed`), a listed
 * owner key needs none, a space already registered and its invitees never need it, and a forged capability
 * still gets `unauthorized`. Plus the start lines that say how registration is configured.
 */
import { describe, expect, test } from 'vitest';
import { RelayCloseReason } from '../src/protocol/accessMessages.ts';
import { randomId } from '../src/protocol/capability.ts';
import { relayToken } from '../src/protocol/inviteLink.ts';
import { OWNER_KEYS_ENV, REGISTRATION_SECRET_ENV, describeRegistration, registrationPolicy } from './registrationPolicy.ts';
import type { RelayProcess } from './testing/relayProcess.ts';
import { testSpace } from './testing/testSpace.ts';
import type { TestSpace } from './testing/testSpace.ts';
import { relayTestRig } from './testing/relayTestRig.ts';

const ACCESS_CODE = 'correct horse battery staple';

const { relay, raw, closeRaws, until } = relayTestRig('registration');

/** An owner token for `space`, with `accessCode` in it when given. */
const ownerToken = (space: TestSpace, accessCode?: string) => relayToken({ capability: space.ownerCapability, memberId: randomId(), name: 'Owner', accessCode });

/** Authenticates `doc` with `token` on a fresh socket; resolves with the relay's answer. */
async function answer(r: RelayProcess, doc: string, token: string): Promise<{ kind: 'authenticated'; scope: string } | { kind: 'denied'; reason: string }> {
  const s = await raw(r);
  s.auth(doc, token);
  let found: { kind: 'authenticated'; scope: string } | { kind: 'denied'; reason: string } | undefined;
  await until(() => {
    for (const e of s.events) {
      if (e.doc === doc && e.kind === 'authenticated') found = { kind: 'authenticated', scope: e.scope };
      if (e.doc === doc && e.kind === 'denied') found = { kind: 'denied', reason: e.reason };
    }
    expect(found).toBeDefined();
  });
  return found!;
}
const admitted = { kind: 'authenticated', scope: 'read-write' };
const refused = (reason: string) => ({ kind: 'denied', reason });

describe('registration with an access code', () => {
  test('a new owner without the code or with a wrong one is refused registration-closed; with the right code it registers', async () => {
    const r = await relay({ [REGISTRATION_SECRET_ENV]: ACCESS_CODE });
    await until(() => expect(r.output()).toContain('registration closed except with the access code'));
    const space = await testSpace();
    expect(await answer(r, space.doc('space'), ownerToken(space))).toEqual(refused(RelayCloseReason.RegistrationClosed));
    expect(await answer(r, space.doc('space'), ownerToken(space, 'wrong code'))).toEqual(refused(RelayCloseReason.RegistrationClosed));
    expect(await answer(r, space.doc('space'), ownerToken(space, `${ACCESS_CODE} `))).toEqual(refused(RelayCloseReason.RegistrationClosed));
    expect(await answer(r, space.doc('space'), ownerToken(space, ACCESS_CODE))).toEqual(admitted);
  });

  test('a registered space needs no code: its owner and its invitees connect without it, also after a restart', async () => {
    const first = await relay({ [REGISTRATION_SECRET_ENV]: ACCESS_CODE });
    const space = await testSpace();
    expect(await answer(first, space.doc('space'), ownerToken(space, ACCESS_CODE))).toEqual(admitted);
    const editor = await space.invite('editor');
    const viewer = await space.invite('viewer');
    closeRaws();
    expect(await first.stop('SIGTERM')).toBe(0);

    const r = await relay({ [REGISTRATION_SECRET_ENV]: ACCESS_CODE });
    expect(await answer(r, space.doc('space'), ownerToken(space))).toEqual(admitted);
    expect(await answer(r, space.doc('page-1'), ownerToken(space))).toEqual(admitted);
    expect(await answer(r, space.doc('space'), editor.token)).toEqual(admitted);
    expect(await answer(r, space.doc('space'), viewer.token)).toEqual({ kind: 'authenticated', scope: 'readonly' });
  });

  test('a forged owner capability still gets unauthorized, with or without the code; an invite for an unknown space too', async () => {
    const r = await relay({ [REGISTRATION_SECRET_ENV]: ACCESS_CODE });
    const space = await testSpace();
    const [head, body, sig] = space.ownerCapability.split('.') as [string, string, string];
    const flipped = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BA' : 'AA'}`;
    const forged = `${head}.${body}.${flipped}`;
    for (const accessCode of [undefined, ACCESS_CODE]) {
      expect(await answer(r, space.doc('space'), relayToken({ capability: forged, memberId: randomId(), name: 'x', accessCode }))).toEqual(refused(RelayCloseReason.Unauthorized));
    }
    const invite = await space.invite('editor');
    expect(await answer(r, space.doc('space'), relayToken({ capability: invite.capability, memberId: randomId(), name: 'x', accessCode: ACCESS_CODE }))).toEqual(refused(RelayCloseReason.Unauthorized));
  });
});

describe('registration from listed owner keys', () => {
  test('a listed key registers without the code; an unlisted one is refused unless it brings the code', async () => {
    const [listed, other, unlisted] = [await testSpace(), await testSpace(), await testSpace()];
    const r = await relay({ [OWNER_KEYS_ENV]: `${listed.keys.publicKey}, ${other.keys.publicKey}`, [REGISTRATION_SECRET_ENV]: ACCESS_CODE });
    await until(() => expect(r.output()).toContain('registration closed except with the access code or from 2 listed owner key(s)'));
    expect(await answer(r, listed.doc('space'), ownerToken(listed))).toEqual(admitted);
    expect(await answer(r, unlisted.doc('space'), ownerToken(unlisted))).toEqual(refused(RelayCloseReason.RegistrationClosed));
    expect(await answer(r, unlisted.doc('space'), ownerToken(unlisted, ACCESS_CODE))).toEqual(admitted);
  });

  test('with keys only, an unlisted owner is refused whatever code it sends', async () => {
    const [listed, unlisted] = [await testSpace(), await testSpace()];
    const r = await relay({ [OWNER_KEYS_ENV]: listed.keys.publicKey });
    expect(await answer(r, unlisted.doc('space'), ownerToken(unlisted, ACCESS_CODE))).toEqual(refused(RelayCloseReason.RegistrationClosed));
    expect(await answer(r, listed.doc('space'), ownerToken(listed))).toEqual(admitted);
  });

  test('a malformed key list stops the relay at start, naming the variable', async () => {
    await expect(relay({ [OWNER_KEYS_ENV]: 'not-a-key' })).rejects.toThrow(new RegExp(`exited with 1[\\s\\S]*${OWNER_KEYS_ENV}`));
  });
});

describe('open registration', () => {
  test('by default any self-signed owner registers, and the relay says registration is open', async () => {
    const r = await relay();
    await until(() => expect(r.output()).toContain('registration open'));
    const space = await testSpace();
    expect(await answer(r, space.doc('space'), ownerToken(space))).toEqual(admitted);
  });

  test('open beyond loopback comes with a warning that says how to close it; loopback and closed relays get none', () => {
    const open = registrationPolicy({});
    const warning = describeRegistration(open, '0.0.0.0').warning ?? '';
    expect(warning).toMatch(/anyone who can reach this relay can create spaces/);
    expect(warning).toContain(REGISTRATION_SECRET_ENV);
    expect(warning).toContain(OWNER_KEYS_ENV);
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(describeRegistration(open, host).warning).toBeNull();
    expect(describeRegistration(registrationPolicy({ secret: ACCESS_CODE }), '0.0.0.0').warning).toBeNull();
  });
});
