/**
 * The relay's member ids, version 1: derived by the relay from what a device presents, never chosen by it.
 *
 * A relay token carries the device's own member id (inviteLink.ts: 1-64 base64url characters, the client's
 * choice). The relay records, lists and revokes members under
 *
 *   m.<base64url(SHA-256(UTF-8 "quire-member-v1\n" + inviteId + "\n" + clientMemberId))>      (45 characters)
 *
 * where inviteId is the verified capability's `id` ("owner" for the owner's own devices). Why derived:
 * - A client cannot collide with anything: the '.' never occurs in an invite id, in "owner" or in a client's
 *   member id (all base64url), so a member id is never mistaken for one of them, and it names one device
 *   of one invite only: a member of one invite cannot take over the row or the revocation of another's.
 * - The device can still recognise itself in the owner's list (relayMemberId(m.inviteId, myMemberId)):
 *   the hash is a pure function of ids the device knows.
 * The '\n' separators are unambiguous because neither id may contain one.
 */
import { toBase64UrlEncoded } from 'lib0/buffer';
import { digest } from 'lib0/hash/sha256';

/** Starts every relay member id; '.' is what no invite id, "owner" or client member id contains. */
export const RELAY_MEMBER_ID_PREFIX = 'm.';
/** Domain separation for the hash: ids derived under another scheme (or version) never equal these. */
const DERIVATION_LABEL = 'quire-member-v1\n';
/** A relay member id: the prefix and 43 base64url characters (32 bytes). */
const RELAY_MEMBER_ID = /^m\.[A-Za-z0-9_-]{43}$/;

const utf8 = new TextEncoder();

/** The id the relay lists and revokes for the device that presented `clientMemberId` with invite `inviteId`. */
export function relayMemberId(inviteId: string, clientMemberId: string): string {
  return RELAY_MEMBER_ID_PREFIX + toBase64UrlEncoded(digest(utf8.encode(`${DERIVATION_LABEL}${inviteId}\n${clientMemberId}`)));
}

/** True for a string of the shape relayMemberId makes (says nothing about whether such a member exists). */
export function isRelayMemberId(id: string): boolean {
  return RELAY_MEMBER_ID.test(id);
}
