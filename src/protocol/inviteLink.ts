/**
 * Invite links and relay tokens: how a capability travels, version 1.
 *
 * Invite link: `<app base URL>#/join/<base64url(JSON)>` where the JSON is
 *
 *   { "v": 1, "relay": "wss://...", "space": "<space id>", "name": "<space name>", "cap": "<capability>" }
 *
 * Everything secret is in the URL fragment, which browsers never send to a server: opening the link reaches
 * the app's host without the capability appearing in its access log (or in a Referer header).
 *
 * Relay token: the string a client puts in Hocuspocus's Auth message for each document (it travels inside
 * the WebSocket, never in a URL):
 *
 *   { "v": 1, "cap": "<capability>", "member": "<member id>", "name": "<display name>", "reg": "<access code>" }
 *
 * The member id is random, chosen by the client once per device and space (`randomId()`); the relay records
 * it with the name so the owner can list and revoke members. Both are the client's word: the name is
 * for display only. "reg" is optional (1-MAX_ACCESS_CODE_CHARS characters): the relay operator's access
 * code, which a relay that does not accept new spaces from anyone asks for when an owner registers a space
 * (relay/registrationPolicy.ts); only the owner's device sends it, and a space already registered never
 * needs it. Unknown fields are ignored; a later "v" is refused with `version-too-new`.
 */
import { fromBase64UrlEncoded, toBase64UrlEncoded } from 'lib0/buffer';
import { ErrorCode } from '../core/errors.ts';
import { CapabilityError, CapabilityFailure, MAX_CAPABILITY_CHARS, MAX_SPACE_ID_CHARS, decodeCapability, malformed } from './capability.ts';
import type { CapabilityClaims } from './capability.ts';

export const INVITE_LINK_VERSION = 1;
export const RELAY_TOKEN_VERSION = 1;
/** The hash route of an invite; the app's router sends it to the join screen. */
export const JOIN_ROUTE = '#/join/';
/** Bounds a display name (characters): it is shown in member lists and sent with every document. */
export const MAX_MEMBER_NAME_CHARS = 80;
/** Bounds a space name carried in a link (characters). */
export const MAX_SPACE_NAME_CHARS = 200;
/** Bounds a relay URL (characters). */
export const MAX_RELAY_URL_CHARS = 512;
/** Bounds a member id (characters): `randomId()` makes 22. */
export const MAX_MEMBER_ID_CHARS = 64;
/** Bounds a relay access code (characters): operators hand out a passphrase or a random string, never a document. */
export const MAX_ACCESS_CODE_CHARS = 256;
/** Bounds a whole token before it is parsed: the relay reads it from unauthenticated clients. */
export const MAX_RELAY_TOKEN_CHARS = MAX_CAPABILITY_CHARS + 4 * MAX_MEMBER_NAME_CHARS + MAX_MEMBER_ID_CHARS + 4 * MAX_ACCESS_CODE_CHARS + 64;
/** Bounds the encoded part of an invite link. */
const MAX_LINK_PAYLOAD_CHARS = 4 * (MAX_CAPABILITY_CHARS + MAX_RELAY_URL_CHARS + 4 * MAX_SPACE_NAME_CHARS + MAX_SPACE_ID_CHARS);
const MEMBER_ID = /^[A-Za-z0-9_-]+$/;

export interface InviteLinkParts {
  readonly relayUrl: string;
  readonly spaceId: string;
  readonly spaceName: string;
  readonly capability: string;
}

export interface ParsedInviteLink extends InviteLinkParts {
  /** The capability's claims, NOT verified (only the relay can): for showing the role and expiry before joining. */
  readonly claims: CapabilityClaims;
}

export function inviteLink(appBaseUrl: string, parts: InviteLinkParts): string {
  checkParts(parts);
  const json = JSON.stringify({ v: INVITE_LINK_VERSION, relay: parts.relayUrl, space: parts.spaceId, name: parts.spaceName, cap: parts.capability });
  const base = appBaseUrl.split('#')[0] ?? appBaseUrl;
  return `${base}${JOIN_ROUTE}${toBase64UrlEncoded(new TextEncoder().encode(json))}`;
}

/** Accepts a whole URL or just its hash; throws CapabilityError (malformed, or version-too-new) for anything else. */
export function parseInviteLink(urlOrHash: string): ParsedInviteLink {
  if (typeof urlOrHash !== 'string') throw malformed('An invite link is a string');
  const at = urlOrHash.indexOf(JOIN_ROUTE);
  if (at === -1) throw malformed(`Not an invite link: no ${JOIN_ROUTE} in it`);
  const payload = urlOrHash.slice(at + JOIN_ROUTE.length).trim();
  if (payload === '' || payload.length > MAX_LINK_PAYLOAD_CHARS || !/^[A-Za-z0-9_-]+$/.test(payload)) throw malformed('The invite link is cut or altered');
  const message = parseJson(() => new TextDecoder('utf-8', { fatal: true }).decode(fromBase64UrlEncoded(payload)), 'invite link');
  checkVersion(message.v, INVITE_LINK_VERSION, 'invite link');
  const parts: InviteLinkParts = { relayUrl: message.relay as string, spaceId: message.space as string, spaceName: message.name as string, capability: message.cap as string };
  checkParts(parts);
  return { ...parts, claims: decodeCapability(parts.capability) };
}

export interface RelayTokenParts {
  readonly capability: string;
  readonly memberId: string;
  readonly name: string;
  /** The relay's access code, for registering a new space on a relay that asks for one (owner only). */
  readonly accessCode?: string;
}

export function relayToken(parts: RelayTokenParts): string {
  checkToken(parts);
  const reg = parts.accessCode === undefined ? {} : { reg: parts.accessCode };
  return JSON.stringify({ v: RELAY_TOKEN_VERSION, cap: parts.capability, member: parts.memberId, name: parts.name, ...reg });
}

/** Throws CapabilityError for anything but a well-formed token; the capability inside is NOT verified here. */
export function parseRelayToken(token: string): RelayTokenParts {
  if (typeof token !== 'string' || token.length > MAX_RELAY_TOKEN_CHARS) throw malformed('A relay token is a string of bounded length');
  const message = parseJson(() => token, 'relay token');
  checkVersion(message.v, RELAY_TOKEN_VERSION, 'relay token');
  const reg = message.reg === undefined ? {} : { accessCode: message.reg as string };
  const parts: RelayTokenParts = { capability: message.cap as string, memberId: message.member as string, name: message.name as string, ...reg };
  checkToken(parts);
  return parts;
}

function parseJson(text: () => string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text());
  } catch (cause) {
    throw malformed(`The ${what} is not readable`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`The ${what} is not an object`);
  return value as Record<string, unknown>;
}

function checkVersion(v: unknown, expected: number, what: string): void {
  if (v === expected) return;
  if (typeof v === 'number' && v > expected) {
    throw new CapabilityError(ErrorCode.VersionTooNew, CapabilityFailure.UnsupportedVersion, `This ${what} is from a newer version of Quire (${v})`);
  }
  throw malformed(`The ${what} version must be ${expected}`);
}

function checkParts(p: InviteLinkParts): void {
  if (typeof p.relayUrl !== 'string' || p.relayUrl.length > MAX_RELAY_URL_CHARS || !/^wss?:\/\/[^\s]+$/.test(p.relayUrl)) throw malformed('The relay URL must be ws:// or wss://');
  if (typeof p.spaceId !== 'string' || p.spaceId === '' || p.spaceId.length > MAX_SPACE_ID_CHARS || p.spaceId.includes('/')) throw malformed('The space id is invalid');
  if (typeof p.spaceName !== 'string' || p.spaceName.length > MAX_SPACE_NAME_CHARS) throw malformed(`The space name must be a string of at most ${MAX_SPACE_NAME_CHARS} characters`);
  if (typeof p.capability !== 'string') throw malformed('The capability is missing');
  if (decodeCapability(p.capability).space !== p.spaceId) throw malformed('The capability is for another space than the link names');
}

function checkToken(p: RelayTokenParts): void {
  if (typeof p.capability !== 'string' || p.capability.length > MAX_CAPABILITY_CHARS) throw malformed('The capability is missing or too long');
  if (typeof p.memberId !== 'string' || p.memberId.length > MAX_MEMBER_ID_CHARS || !MEMBER_ID.test(p.memberId)) throw malformed('The member id must be 1-64 base64url characters');
  if (typeof p.name !== 'string' || p.name.length > MAX_MEMBER_NAME_CHARS) throw malformed(`The display name must be a string of at most ${MAX_MEMBER_NAME_CHARS} characters`);
  if (p.accessCode !== undefined && (typeof p.accessCode !== 'string' || p.accessCode === '' || p.accessCode.length > MAX_ACCESS_CODE_CHARS)) {
    throw malformed(`The access code must be 1-${MAX_ACCESS_CODE_CHARS} characters`);
  }
}
