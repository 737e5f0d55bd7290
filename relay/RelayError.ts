import { QuireError } from '../src/core/errors.ts';
import type { ErrorCode } from '../src/core/errors.ts';

/** The relay process failed at its own boundary: starting, or shutting down within its bound. */
export class RelayError extends QuireError {
  readonly boundary = 'relay';
  override readonly name = 'RelayError';
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
