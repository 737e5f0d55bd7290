/**
 * Who may register a new space on this relay (trust on first use, relay/authExtension.ts). Registering is
 * what lets someone store data here, so an operator whose relay others can reach decides who may:
 *
 * - open (the default): any self-signed owner capability registers its space;
 * - `QUIRE_RELAY_REGISTRATION_SECRET`: the owner's relay token must carry the operator's access code
 *   (`"reg"`, src/protocol/inviteLink.ts), compared in constant time;
 * - `QUIRE_RELAY_OWNER_KEYS` (comma-separated base64url space public keys): a listed key registers without
 *   the code. Either setting alone closes registration to everyone else.
 *
 * Only registering is gated: a space already registered never needs the code, and invitees never send it.
 * A refused owner hears `registration-closed` only after its capability verified (self-signed), so the answer
 * tells nothing to a client that cannot even produce one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../src/core/errors.ts';
import { MAX_ACCESS_CODE_CHARS } from '../src/protocol/inviteLink.ts';
import { RelayError } from './RelayError.ts';

export const REGISTRATION_SECRET_ENV = 'QUIRE_RELAY_REGISTRATION_SECRET';
export const OWNER_KEYS_ENV = 'QUIRE_RELAY_OWNER_KEYS';
/** Bounds the keys listed in QUIRE_RELAY_OWNER_KEYS: a set in memory, read once at start. */
export const MAX_OWNER_KEYS = 10_000;
/** An Ed25519 public key in base64url (32 bytes: 43 characters), as capabilities carry it. */
const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;

export interface RegistrationPolicy {
  /** SHA-256 of the access code, or null when no code is set. */
  readonly secretHash: Buffer | null;
  /** Space public keys that may register without the code. */
  readonly ownerKeys: ReadonlySet<string>;
}

export const OPEN_REGISTRATION: RegistrationPolicy = { secretHash: null, ownerKeys: new Set() };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function registrationPolicy(options: { secret?: string; ownerKeys?: readonly string[] }): RegistrationPolicy {
  const secret = options.secret ?? '';
  if (secret.length > MAX_ACCESS_CODE_CHARS) throw new RelayError(ErrorCode.InvalidOperation, `${REGISTRATION_SECRET_ENV} may be at most ${MAX_ACCESS_CODE_CHARS} characters (the relay token bounds it)`);
  const keys = options.ownerKeys ?? [];
  if (keys.length > MAX_OWNER_KEYS) throw new RelayError(ErrorCode.InvalidOperation, `${OWNER_KEYS_ENV} lists ${keys.length} keys; at most ${MAX_OWNER_KEYS}`);
  for (const key of keys) {
    if (!PUBLIC_KEY.test(key)) throw new RelayError(ErrorCode.InvalidOperation, `${OWNER_KEYS_ENV}: "${key.slice(0, 60)}" is not a base64url Ed25519 public key (43 characters)`);
  }
  return { secretHash: secret === '' ? null : sha256(secret), ownerKeys: new Set(keys) };
}

/** The policy from the environment; an unusable value is a RelayError naming the variable. */
export function registrationPolicyFromEnv(env: Record<string, string | undefined>): RegistrationPolicy {
  const keys = (env[OWNER_KEYS_ENV] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  return registrationPolicy({ secret: env[REGISTRATION_SECRET_ENV], ownerKeys: keys });
}

export const isOpen = (policy: RegistrationPolicy) => policy.secretHash === null && policy.ownerKeys.size === 0;

/** Whether the owner of a space with `publicKey`, presenting `accessCode` (or none), may register it. */
export function mayRegister(policy: RegistrationPolicy, publicKey: string, accessCode: string | undefined): boolean {
  if (isOpen(policy) || policy.ownerKeys.has(publicKey)) return true;
  if (policy.secretHash === null || accessCode === undefined) return false;
  // Hashes have equal lengths, so the comparison takes the same time whatever the code's length or content.
  return timingSafeEqual(sha256(accessCode), policy.secretHash);
}

/** Loopback hosts: a relay bound to one is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The start lines about registration: how it is configured, and a warning when it is open beyond loopback. */
export function describeRegistration(policy: RegistrationPolicy, host: string): { info: string; warning: string | null } {
  const ways = [policy.secretHash ? 'with the access code' : null, policy.ownerKeys.size > 0 ? `from ${policy.ownerKeys.size} listed owner key(s)` : null].filter(Boolean);
  const info = isOpen(policy) ? 'Quire relay: registration open (any owner may create spaces)' : `Quire relay: registration closed except ${ways.join(' or ')}`;
  const warning =
    isOpen(policy) && !isLoopback(host)
      ? `Quire relay: WARNING: registration is open on ${host}: anyone who can reach this relay can create spaces and store data on it. Set ${REGISTRATION_SECRET_ENV} (an access code owners enter when they start syncing) or ${OWNER_KEYS_ENV} (allowed space public keys) to close it.`
      : null;
  return { info, warning };
}
