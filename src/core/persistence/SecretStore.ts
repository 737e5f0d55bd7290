/**
 * Device secrets of a space: small named values (the space's key pair, the capability and relay URL this
 * device syncs with, the invites it sent). They are facts of this device, never shared state, so they are
 * kept only by a store on this device: SpaceDbLayer keeps them in the space's database (`meta`; the previous
 * version's IndexedDbLayer in its space document's database, whence the storage upgrade moves them), MemoryLayer
 * in memory. A sync path never holds them (the relay
 * is not trusted with them, docs/security.md), so this is a contract of its own, not part of the layers'.
 */
import { ErrorCode, PersistenceError } from '../errors.ts';

/** Small named values of a space (keys, tokens). */
export type Secrets = Readonly<Record<string, string>>;

export interface SecretStore {
  /** Every secret stored for the space ({} when there is none). */
  loadSecrets(): Promise<Secrets>;
  /** Stores the given secrets, merged with what is there: keys not given are kept. Resolves once durable. */
  saveSecrets(secrets: Secrets): Promise<void>;
}

export function isSecretStore<T>(value: T): value is T & SecretStore {
  const s = value as Partial<SecretStore> | null;
  return typeof s === 'object' && s !== null && typeof s.loadSecrets === 'function' && typeof s.saveSecrets === 'function';
}

/**
 * Several secret stores of one space read as one (a space may have more than one local store): the first
 * store (in priority order) holding a key wins, and a save goes to every store. With no store at all a
 * save rejects rather than pretend it kept the secrets.
 */
export function mergedSecretStore(stores: readonly SecretStore[]): SecretStore {
  return {
    async loadSecrets() {
      const all = await Promise.all(stores.map((s) => s.loadSecrets()));
      return Object.assign({}, ...all.reverse()) as Secrets;
    },
    async saveSecrets(secrets) {
      if (stores.length === 0) throw new PersistenceError(ErrorCode.InvalidOperation, 'This space has no store on this device to keep its secrets in');
      await Promise.all(stores.map((s) => s.saveSecrets(secrets)));
    },
  };
}
