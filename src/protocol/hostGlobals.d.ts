// The host globals src/protocol may use: exactly the part of the WHATWG Encoding and Web Crypto APIs that
// both Node (20 and later) and browsers provide as globals, typed as far as the protocol uses them.
// Only tsconfig.protocol.json includes this file (lib ES2022, no DOM, no @types/node): a protocol file
// that reaches for anything else (window, process, Buffer, fetch...) fails to compile there. The app,
// tests and relay builds exclude it and take these names from the DOM lib or @types/node instead.

type BufferSource = ArrayBufferView<ArrayBuffer> | ArrayBuffer;

interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare var TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: BufferSource): string;
}
declare var TextDecoder: { new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder };

type KeyUsage = 'sign' | 'verify';
interface Algorithm {
  name: string;
}
interface CryptoKey {
  readonly algorithm: Algorithm;
  readonly extractable: boolean;
  readonly type: 'private' | 'public' | 'secret';
  readonly usages: KeyUsage[];
}
interface CryptoKeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}
interface SubtleCrypto {
  generateKey(algorithm: Algorithm, extractable: boolean, keyUsages: readonly KeyUsage[]): Promise<CryptoKeyPair | CryptoKey>;
  exportKey(format: 'raw' | 'pkcs8' | 'spki', key: CryptoKey): Promise<ArrayBuffer>;
  importKey(format: 'raw' | 'pkcs8' | 'spki', keyData: BufferSource, algorithm: Algorithm, extractable: boolean, keyUsages: readonly KeyUsage[]): Promise<CryptoKey>;
  sign(algorithm: Algorithm, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>;
  verify(algorithm: Algorithm, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean>;
}
interface Crypto {
  readonly subtle: SubtleCrypto;
  getRandomValues<T extends Uint8Array<ArrayBuffer>>(array: T): T;
}
declare var crypto: Crypto;
