/**
 * Capabilities: what a device presents to the relay to read or write a space, version 1. No accounts:
 * holding a valid capability IS the access (design and threat model: docs/security.md).
 *
 * Keys. Each space has one Ed25519 key pair, generated on the owner's device with WebCrypto (Node 20 and
 * Chromium 156 both implement Ed25519 in `crypto.subtle`; ECDSA is not needed). The app keeps both halves
 * in the space's secrets as base64url strings: the public key raw (32 bytes), the private key PKCS#8.
 *
 * Format. A capability is one ASCII string of three dot-separated parts:
 *
 *   qc1.<base64url(JSON claims)>.<base64url(Ed25519 signature)>
 *
 * The signature covers the exact ASCII bytes `qc1.<claims part>`, so there is no JSON canonicalisation to
 * get wrong: a change to any byte of the claims (role, space, exp, pk, ...) fails verification. Claims:
 *
 *   { "v": 1, "space": "<space id>", "role": "owner" | "editor" | "viewer",
 *     "id": "<invite id>" ("owner" for the owner's own capability), "pk": "<base64url raw public key>",
 *     "iat": <ms since epoch>, "exp": <ms since epoch> | null }
 *
 * The owner capability is signed by the space key like any invite; only the owner can sign, so only the
 * owner can mint an owner capability or widen a role. A verifier that knows the space's registered key
 * checks `pk` equals it and verifies with it; a verifier that does not (a relay seeing the space for the
 * first time) can only check that the capability is self-consistent (signed by its own `pk`), which is
 * why the relay registers a space only from an owner capability (trust on first use).
 *
 * Unknown claim fields are ignored; a later `v` is refused with `version-too-new`.
 */
import { fromBase64UrlEncoded, toBase64UrlEncoded } from 'lib0/buffer';
import { ErrorCode, QuireError } from '../core/errors.ts';

export const CAPABILITY_VERSION = 1;
/** Marks the string as a Quire capability of version 1 and is part of the signed bytes. */
export const CAPABILITY_PREFIX = 'qc1';
/** The `id` of the owner's own capability; invite ids are random and never equal it. */
export const OWNER_CAPABILITY_ID = 'owner';
/** Bounds a capability string before any decoding (the claims are ~250 bytes; a space id is bounded below). */
export const MAX_CAPABILITY_CHARS = 2048;
/** Bounds a space id inside claims (Quire's ids are UUIDs: 36 characters). */
export const MAX_SPACE_ID_CHARS = 128;
/** Random bytes in an invite id (128 bits: not guessable, unique without coordination). */
export const INVITE_ID_BYTES = 16;

const ALGORITHM = { name: 'Ed25519' } as const;
const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type CapabilityRole = 'owner' | 'editor' | 'viewer';
export type InviteRole = Exclude<CapabilityRole, 'owner'>;

export interface CapabilityClaims {
  readonly v: 1;
  readonly space: string;
  readonly role: CapabilityRole;
  readonly id: string;
  readonly pk: string;
  readonly iat: number;
  readonly exp: number | null;
}

/** A space's key pair as the app stores it (base64url strings). The private key never leaves the owner's devices. */
export interface SpaceKeys {
  readonly publicKey: string;
  readonly privateKey: string;
}

/** Why a capability (or an invite link or relay token carrying one) was refused. */
export const CapabilityFailure = {
  /** Not a capability: wrong shape, bad encoding, a claim of the wrong type, over the size bound. */
  Malformed: 'malformed',
  /** Made by a newer version of Quire. */
  UnsupportedVersion: 'unsupported-version',
  /** The signature does not match the claims and key: forged or altered. */
  BadSignature: 'bad-signature',
  /** Signed for another space. */
  WrongSpace: 'wrong-space',
  /** Signed by a key other than the space's registered key. */
  WrongKey: 'wrong-key',
  /** Past its `exp`. */
  Expired: 'expired',
  /** The space keys given to sign with are not a usable Ed25519 pair. */
  BadKeys: 'bad-keys',
} as const;
export type CapabilityFailure = (typeof CapabilityFailure)[keyof typeof CapabilityFailure];

/** The capability boundary: minting, verifying and carrying capabilities (links, relay tokens). */
export class CapabilityError extends QuireError {
  readonly boundary = 'capability';
  override readonly name = 'CapabilityError';
  constructor(
    code: ErrorCode,
    readonly failure: CapabilityFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export function malformed(what: string, cause?: unknown): CapabilityError {
  return new CapabilityError(ErrorCode.InvalidOperation, CapabilityFailure.Malformed, what, { cause });
}

// Named through globalThis so that the relay's Node-only tsconfig (no DOM lib) types this file too.
type Subtle = typeof globalThis.crypto.subtle;
type Key = Awaited<ReturnType<Subtle['importKey']>>;

function subtle(): Subtle {
  return globalThis.crypto.subtle;
}

const utf8 = new TextEncoder();

export async function generateSpaceKeys(): Promise<SpaceKeys> {
  const pair = await subtle().generateKey(ALGORITHM, true, ['sign', 'verify']);
  // The DOM typings allow a single key for some algorithms; Ed25519 always gives a pair.
  if (!('privateKey' in pair)) throw new CapabilityError(ErrorCode.InvalidOperation, CapabilityFailure.BadKeys, 'WebCrypto did not return an Ed25519 key pair');
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const privateKey = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
  return { publicKey: toBase64UrlEncoded(publicKey), privateKey: toBase64UrlEncoded(privateKey) };
}

/** A random id for an invite (also usable as a member id): base64url of INVITE_ID_BYTES random bytes. */
export function randomId(): string {
  return toBase64UrlEncoded(globalThis.crypto.getRandomValues(new Uint8Array(INVITE_ID_BYTES)));
}

export function ownerCapability(spaceId: string, keys: SpaceKeys, now: number = Date.now()): Promise<string> {
  return sign({ v: CAPABILITY_VERSION, space: spaceId, role: 'owner', id: OWNER_CAPABILITY_ID, pk: keys.publicKey, iat: now, exp: null }, keys);
}

export interface InviteOptions {
  readonly role: InviteRole;
  /** Milliseconds since the epoch, or null for an invite that does not expire (revocation still applies). */
  readonly expiresAt: number | null;
  readonly now?: number;
}

export async function createInvite(spaceId: string, keys: SpaceKeys, options: InviteOptions): Promise<{ inviteId: string; capability: string }> {
  const now = options.now ?? Date.now();
  if (options.role !== 'editor' && options.role !== 'viewer') throw malformed(`An invite's role is editor or viewer, not ${String(options.role)}`);
  if (options.expiresAt !== null && (!Number.isSafeInteger(options.expiresAt) || options.expiresAt <= now)) {
    throw malformed('An invite must expire in the future (or never)');
  }
  const inviteId = randomId();
  const capability = await sign({ v: CAPABILITY_VERSION, space: spaceId, role: options.role, id: inviteId, pk: keys.publicKey, iat: now, exp: options.expiresAt }, keys);
  return { inviteId, capability };
}

async function sign(claims: CapabilityClaims, keys: SpaceKeys): Promise<string> {
  checkClaims(claims);
  let key: Key;
  try {
    key = await subtle().importKey('pkcs8', decode(keys.privateKey, 'private key'), ALGORITHM, false, ['sign']);
  } catch (cause) {
    throw new CapabilityError(ErrorCode.InvalidOperation, CapabilityFailure.BadKeys, 'The space private key is not an Ed25519 PKCS#8 key', { cause });
  }
  const body = `${CAPABILITY_PREFIX}.${toBase64UrlEncoded(utf8.encode(JSON.stringify(claims)))}`;
  const signature = new Uint8Array(await subtle().sign(ALGORITHM, key, utf8.encode(body)));
  const capability = `${body}.${toBase64UrlEncoded(signature)}`;
  // A private key that does not belong to the public key would mint capabilities nobody accepts: say so now.
  if (!(await signatureValid(capability, claims.pk))) {
    throw new CapabilityError(ErrorCode.InvalidOperation, CapabilityFailure.BadKeys, 'The space keys do not form a pair');
  }
  return capability;
}

/**
 * The claims of a capability WITHOUT checking its signature: for showing an invite ("Viewer, expires ...")
 * before joining. Never grant anything on these; use verifyCapability.
 */
export function decodeCapability(capability: string): CapabilityClaims {
  if (typeof capability !== 'string' || capability.length > MAX_CAPABILITY_CHARS) throw malformed('A capability is a string of bounded length');
  const parts = capability.split('.');
  if (parts.length !== 3 || parts[0] !== CAPABILITY_PREFIX) throw malformed(`A capability has three parts and starts with ${CAPABILITY_PREFIX}`);
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decode(parts[1] ?? '', 'claims')));
  } catch (cause) {
    if (cause instanceof CapabilityError) throw cause;
    throw malformed('The claims of the capability are not JSON', cause);
  }
  checkClaims(claims);
  return claims;
}

export interface VerifyOptions {
  /** The space the capability must be for (the space of the document being opened). */
  readonly spaceId: string;
  /** The space's registered public key, or null when the verifier knows none yet (then `pk` is trusted). */
  readonly publicKey: string | null;
  readonly now: number;
}

/** The verified claims, or a CapabilityError: malformed, unsupported version, wrong space or key, bad signature, expired. */
export async function verifyCapability(capability: string, options: VerifyOptions): Promise<CapabilityClaims> {
  const claims = decodeCapability(capability);
  if (claims.space !== options.spaceId) {
    throw new CapabilityError(ErrorCode.Forbidden, CapabilityFailure.WrongSpace, 'The capability is for another space');
  }
  if (options.publicKey !== null && claims.pk !== options.publicKey) {
    throw new CapabilityError(ErrorCode.Forbidden, CapabilityFailure.WrongKey, 'The capability is not signed by the space key');
  }
  if (!(await signatureValid(capability, claims.pk))) {
    throw new CapabilityError(ErrorCode.Forbidden, CapabilityFailure.BadSignature, 'The capability signature does not match');
  }
  if (claims.exp !== null && options.now >= claims.exp) {
    throw new CapabilityError(ErrorCode.Forbidden, CapabilityFailure.Expired, `The capability expired at ${new Date(claims.exp).toISOString()}`);
  }
  return claims;
}

async function signatureValid(capability: string, publicKey: string): Promise<boolean> {
  const cut = capability.lastIndexOf('.');
  const signature = decode(capability.slice(cut + 1), 'signature');
  if (signature.byteLength !== ED25519_SIGNATURE_BYTES) return false;
  let key: Key;
  try {
    key = await subtle().importKey('raw', decode(publicKey, 'public key'), ALGORITHM, false, ['verify']);
  } catch (cause) {
    throw malformed('The public key is not an Ed25519 key', cause);
  }
  return subtle().verify(ALGORITHM, key, signature, utf8.encode(capability.slice(0, cut)));
}

function decode(part: string, what: string): Uint8Array<ArrayBuffer> {
  if (!BASE64URL.test(part)) throw malformed(`The ${what} is not base64url`);
  return new Uint8Array(fromBase64UrlEncoded(part));
}

const ROLES = new Set<unknown>(['owner', 'editor', 'viewer']);
const isTime = (t: unknown): t is number => typeof t === 'number' && Number.isSafeInteger(t) && t >= 0;

function checkClaims(c: unknown): asserts c is CapabilityClaims {
  if (typeof c !== 'object' || c === null) throw malformed('The claims are not an object');
  const { v, space, role, id, pk, iat, exp } = c as Record<string, unknown>;
  if (v !== CAPABILITY_VERSION) {
    if (typeof v === 'number' && v > CAPABILITY_VERSION) {
      throw new CapabilityError(ErrorCode.VersionTooNew, CapabilityFailure.UnsupportedVersion, `Capability version ${v} is newer than ${CAPABILITY_VERSION}`);
    }
    throw malformed(`Capability version must be ${CAPABILITY_VERSION}`);
  }
  if (typeof space !== 'string' || space === '' || space.length > MAX_SPACE_ID_CHARS || space.includes('/')) throw malformed('The space id is invalid');
  if (!ROLES.has(role)) throw malformed('The role is not owner, editor or viewer');
  if (typeof id !== 'string' || !BASE64URL.test(id) || id.length > 64) throw malformed('The capability id is invalid');
  if ((role === 'owner') !== (id === OWNER_CAPABILITY_ID)) throw malformed('Only the owner capability has the id "owner"');
  if (typeof pk !== 'string' || !BASE64URL.test(pk) || fromBase64UrlEncoded(pk).byteLength !== ED25519_PUBLIC_KEY_BYTES) throw malformed('The public key is not 32 base64url bytes');
  if (!isTime(iat)) throw malformed('iat is not a time');
  if (exp !== null && !isTime(exp)) throw malformed('exp is neither a time nor null');
}
