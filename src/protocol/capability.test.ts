import { fromBase64UrlEncoded, toBase64UrlEncoded } from 'lib0/buffer';
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../core/errors.ts';
import { CapabilityError, CapabilityFailure, createInvite, decodeCapability, generateSpaceKeys, ownerCapability, verifyCapability } from './capability.ts';

const SPACE = 'space-1';
const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

/** Re-encodes the claims part with a change, keeping the original signature: what a forger would try. */
function alter(capability: string, change: (claims: Record<string, unknown>) => void): string {
  const [prefix, body, sig] = capability.split('.') as [string, string, string];
  const claims = JSON.parse(new TextDecoder().decode(fromBase64UrlEncoded(body))) as Record<string, unknown>;
  change(claims);
  return `${prefix}.${toBase64UrlEncoded(new TextEncoder().encode(JSON.stringify(claims)))}.${sig}`;
}

async function failure(p: Promise<unknown>): Promise<CapabilityError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(CapabilityError);
  return e as CapabilityError;
}

describe('capabilities', () => {
  test('the owner capability and an invite verify against the space key, with their claims', async () => {
    const keys = await generateSpaceKeys();
    const owner = await ownerCapability(SPACE, keys, NOW);
    expect(await verifyCapability(owner, { spaceId: SPACE, publicKey: keys.publicKey, now: NOW })).toEqual({ v: 1, space: SPACE, role: 'owner', id: 'owner', pk: keys.publicKey, iat: NOW, exp: null });
    // A relay that has no key yet can check only self-consistency.
    expect((await verifyCapability(owner, { spaceId: SPACE, publicKey: null, now: NOW })).role).toBe('owner');

    const { inviteId, capability } = await createInvite(SPACE, keys, { role: 'viewer', expiresAt: NOW + HOUR, now: NOW });
    const claims = await verifyCapability(capability, { spaceId: SPACE, publicKey: keys.publicKey, now: NOW + HOUR - 1 });
    expect(claims).toMatchObject({ role: 'viewer', id: inviteId, exp: NOW + HOUR, space: SPACE });
    expect(decodeCapability(capability)).toEqual(claims);
    expect(inviteId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test('nobody can widen or move a capability: a changed role, space, exp, id or pk fails', async () => {
    const keys = await generateSpaceKeys();
    const { capability } = await createInvite(SPACE, keys, { role: 'viewer', expiresAt: NOW + HOUR, now: NOW });
    const opts = { spaceId: SPACE, publicKey: keys.publicKey, now: NOW };
    for (const change of [
      (c: Record<string, unknown>) => (c.role = 'editor'),
      (c: Record<string, unknown>) => (c.exp = null),
      (c: Record<string, unknown>) => (c.exp = NOW + 1000 * HOUR),
      (c: Record<string, unknown>) => (c.id = 'someotherinviteid'),
      (c: Record<string, unknown>) => (c.iat = NOW + 1),
    ]) {
      expect((await failure(verifyCapability(alter(capability, change), opts))).failure).toBe(CapabilityFailure.BadSignature);
    }
    // Claiming owner with the invite's signature: bad signature too.
    expect((await failure(verifyCapability(alter(capability, (c) => Object.assign(c, { role: 'owner', id: 'owner' })), opts))).code).toBe(ErrorCode.Forbidden);
    // Moved to another space: refused before the signature is even checked.
    const moved = await failure(verifyCapability(alter(capability, (c) => (c.space = 'space-2')), { ...opts, spaceId: 'space-2' }));
    expect(moved.failure).toBe(CapabilityFailure.BadSignature);
    expect((await failure(verifyCapability(capability, { ...opts, spaceId: 'space-2' }))).failure).toBe(CapabilityFailure.WrongSpace);
  });

  test('a capability signed by another key is refused, even when it names that key', async () => {
    const keys = await generateSpaceKeys();
    const attacker = await generateSpaceKeys();
    const forged = await ownerCapability(SPACE, attacker, NOW);
    expect((await failure(verifyCapability(forged, { spaceId: SPACE, publicKey: keys.publicKey, now: NOW }))).failure).toBe(CapabilityFailure.WrongKey);
    // Naming the real key over the attacker's signature: bad signature.
    const swapped = alter(forged, (c) => (c.pk = keys.publicKey));
    expect((await failure(verifyCapability(swapped, { spaceId: SPACE, publicKey: keys.publicKey, now: NOW }))).failure).toBe(CapabilityFailure.BadSignature);
  });

  test('an invite is refused from its expiry on', async () => {
    const keys = await generateSpaceKeys();
    const { capability } = await createInvite(SPACE, keys, { role: 'editor', expiresAt: NOW + HOUR, now: NOW });
    const e = await failure(verifyCapability(capability, { spaceId: SPACE, publicKey: keys.publicKey, now: NOW + HOUR }));
    expect(e.failure).toBe(CapabilityFailure.Expired);
    expect(e.code).toBe(ErrorCode.Forbidden);
  });

  test('malformed capabilities and arguments are typed errors', async () => {
    const keys = await generateSpaceKeys();
    const opts = { spaceId: SPACE, publicKey: keys.publicKey, now: NOW };
    const owner = await ownerCapability(SPACE, keys, NOW);
    for (const bad of ['', 'qc1', 'qc1.a.b', 'xx1.' + owner.slice(4), owner + '.x', owner.replace(/\.[^.]+$/, '.!!'), 'x'.repeat(5000)]) {
      const e = await failure(verifyCapability(bad, opts));
      expect([CapabilityFailure.Malformed, CapabilityFailure.BadSignature]).toContain(e.failure);
    }
    expect((await failure(verifyCapability(alter(owner, (c) => (c.v = 2)), opts))).code).toBe(ErrorCode.VersionTooNew);
    expect((await failure(verifyCapability(alter(owner, (c) => (c.id = 'x')), opts))).failure).toBe(CapabilityFailure.Malformed);
    expect((await failure(createInvite(SPACE, keys, { role: 'owner' as 'editor', expiresAt: null }))).code).toBe(ErrorCode.InvalidOperation);
    expect((await failure(createInvite(SPACE, keys, { role: 'editor', expiresAt: NOW - 1, now: NOW }))).code).toBe(ErrorCode.InvalidOperation);
    const other = await generateSpaceKeys();
    expect((await failure(ownerCapability(SPACE, { publicKey: keys.publicKey, privateKey: other.privateKey }))).failure).toBe(CapabilityFailure.BadKeys);
    expect((await failure(ownerCapability(SPACE, { publicKey: keys.publicKey, privateKey: 'AAAA' }))).failure).toBe(CapabilityFailure.BadKeys);
  });
});
