import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../core/errors.ts';
import { CapabilityError, createInvite, generateSpaceKeys, randomId } from './capability.ts';
import { MAX_ACCESS_CODE_CHARS, MAX_RELAY_TOKEN_CHARS, inviteLink, parseInviteLink, parseRelayToken, relayToken } from './inviteLink.ts';

const thrown = (f: () => unknown): CapabilityError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CapabilityError);
    return e as CapabilityError;
  }
  throw new Error('did not throw');
};

describe('invite links', () => {
  test('round-trip with the secret in the fragment only', async () => {
    const keys = await generateSpaceKeys();
    const { capability } = await createInvite('sp', keys, { role: 'viewer', expiresAt: null });
    const parts = { relayUrl: 'wss://relay.example/', spaceId: 'sp', spaceName: 'Notes — été', capability };
    const link = inviteLink('https://app.example/quire/#/space/old', parts);
    const url = new URL(link);
    expect(url.origin + url.pathname + url.search).toBe('https://app.example/quire/');
    expect(url.hash.startsWith('#/join/')).toBe(true);
    expect(link).not.toContain(capability); // encoded, and only after '#'
    const parsed = parseInviteLink(link);
    expect(parsed).toMatchObject(parts);
    expect(parsed.claims).toMatchObject({ role: 'viewer', space: 'sp', exp: null });
    expect(parseInviteLink(url.hash).capability).toBe(capability);
  });

  test('malformed links are typed errors', async () => {
    const keys = await generateSpaceKeys();
    const { capability } = await createInvite('sp', keys, { role: 'editor', expiresAt: null });
    const good = inviteLink('https://a/', { relayUrl: 'ws://127.0.0.1:4444', spaceId: 'sp', spaceName: 'x', capability });
    for (const bad of ['https://a/', 'https://a/#/join/', good.slice(0, -10), good + '%%', 'https://a/#/join/' + btoa('{"v":1}')]) {
      expect(thrown(() => parseInviteLink(bad)).code).toBe(ErrorCode.InvalidOperation);
    }
    const newer = 'https://a/#/join/' + btoa(JSON.stringify({ v: 2 })).replace(/=+$/, '');
    expect(thrown(() => parseInviteLink(newer)).code).toBe(ErrorCode.VersionTooNew);
    expect(thrown(() => inviteLink('https://a/', { relayUrl: 'http://x', spaceId: 'sp', spaceName: 'x', capability })).code).toBe(ErrorCode.InvalidOperation);
    expect(thrown(() => inviteLink('https://a/', { relayUrl: 'ws://x', spaceId: 'other', spaceName: 'x', capability })).code).toBe(ErrorCode.InvalidOperation);
  });
});

describe('relay tokens', () => {
  test('round-trip, and bounded, checked fields', async () => {
    const keys = await generateSpaceKeys();
    const { capability } = await createInvite('sp', keys, { role: 'editor', expiresAt: null });
    const parts = { capability, memberId: randomId(), name: 'Ada' };
    expect(parseRelayToken(relayToken(parts))).toEqual(parts);
    expect(thrown(() => relayToken({ ...parts, name: 'x'.repeat(81) })).code).toBe(ErrorCode.InvalidOperation);
    expect(thrown(() => relayToken({ ...parts, memberId: 'a b' })).code).toBe(ErrorCode.InvalidOperation);
    for (const bad of ['', 'test', '{}', '[]', 'x'.repeat(10_000), JSON.stringify({ v: 1, cap: 1, member: 'm', name: '' })]) {
      expect(thrown(() => parseRelayToken(bad)).code).toBe(ErrorCode.InvalidOperation);
    }
    expect(thrown(() => parseRelayToken(JSON.stringify({ v: 9 }))).code).toBe(ErrorCode.VersionTooNew);
  });

  test('an optional, bounded access code ("reg"); tokens without one still parse', async () => {
    const keys = await generateSpaceKeys();
    const { capability } = await createInvite('sp', keys, { role: 'editor', expiresAt: null });
    const parts = { capability, memberId: randomId(), name: 'Ada' };
    expect(JSON.parse(relayToken(parts))).not.toHaveProperty('reg');
    const withCode = { ...parts, accessCode: 'c'.repeat(MAX_ACCESS_CODE_CHARS) };
    const token = relayToken(withCode);
    expect(JSON.parse(token)).toMatchObject({ reg: withCode.accessCode });
    expect(token.length).toBeLessThanOrEqual(MAX_RELAY_TOKEN_CHARS);
    expect(parseRelayToken(token)).toEqual(withCode);
    expect(parseRelayToken(JSON.stringify({ v: 1, cap: capability, member: parts.memberId, name: 'Ada' }))).toEqual(parts);
    for (const reg of ['', 'c'.repeat(MAX_ACCESS_CODE_CHARS + 1), 42, null]) {
      expect(thrown(() => parseRelayToken(JSON.stringify({ v: 1, cap: capability, member: parts.memberId, name: 'Ada', reg }))).code).toBe(ErrorCode.InvalidOperation);
    }
  });
});
