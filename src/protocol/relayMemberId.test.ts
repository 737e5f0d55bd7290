import { describe, expect, test } from 'vitest';
import { OWNER_CAPABILITY_ID, randomId } from './capability.ts';
import { isRelayMemberId, relayMemberId } from './relayMemberId.ts';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

describe('relay member ids', () => {
  test('derived ids never equal an invite id, "owner" or a client member id, and fit an access message id', () => {
    for (const chosen of [OWNER_CAPABILITY_ID, randomId(), 'a', 'x'.repeat(64)]) {
      const id = relayMemberId(randomId(), chosen);
      expect(isRelayMemberId(id)).toBe(true);
      expect(BASE64URL.test(id)).toBe(false); // every invite id, "owner" and client member id is base64url
      expect(id.length).toBeLessThanOrEqual(64);
    }
  });

  test('one device of one invite: the same inputs give the same id, another invite or device another id', () => {
    const [invite, other, device] = [randomId(), randomId(), randomId()];
    expect(relayMemberId(invite, device)).toBe(relayMemberId(invite, device));
    expect(relayMemberId(other, device)).not.toBe(relayMemberId(invite, device));
    expect(relayMemberId(invite, randomId())).not.toBe(relayMemberId(invite, device));
    // The separator keeps (invite, device) pairs apart when their concatenations agree.
    expect(relayMemberId('ab', 'c')).not.toBe(relayMemberId('a', 'bc'));
    // A known vector: a change of derivation is a change of the listed ids, hence of stored rows.
    expect(relayMemberId(OWNER_CAPABILITY_ID, 'abc')).toBe('m.5zCZSS3kfXDnR1hcMHdWAJvz8HfYcr2YLh-kZBCvwOM');
  });

  test('only the relay shape is recognised', () => {
    expect(isRelayMemberId('owner')).toBe(false);
    expect(isRelayMemberId(randomId())).toBe(false);
    expect(isRelayMemberId(`m.${'A'.repeat(42)}`)).toBe(false);
  });
});
