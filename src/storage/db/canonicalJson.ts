import { ErrorCode, PersistenceError } from '../../core/errors.ts';

/** Bounds the nesting of a value encoded canonically (an event payload is a few levels deep). */
const MAX_DEPTH = 64;

/**
 * Canonical JSON: JSON.stringify's encoding of strings and numbers, no whitespace, object keys sorted by
 * UTF-16 code units (Array.prototype.sort's default), arrays in order. Only JSON values are accepted:
 * undefined, functions, symbols, bigints, NaN, Infinity and non-plain objects throw 'invalid-operation',
 * because JSON.stringify would silently drop or change them and the hash would then cover something
 * other than what was stored. -0 encodes as 0.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw invalid(`nesting deeper than ${MAX_DEPTH}`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => encode(v, depth + 1)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw invalid('an object that is not a plain object');
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(record[k], depth + 1)}`).join(',')}}`;
    }
    default:
      throw invalid(`a value of type ${typeof value}`);
  }
}

function invalid(what: string): PersistenceError {
  return new PersistenceError(ErrorCode.InvalidOperation, `Cannot encode ${what} as canonical JSON.`);
}
