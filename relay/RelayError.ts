import { QuireError } from '../src/core/errors.ts';
import { ErrorCode } from '../src/core/errors.ts';

/** The relay process failed at its own boundary: starting, or shutting down within its bound. */
export class RelayError extends QuireError {
  readonly boundary = 'relay';
  override readonly name = 'RelayError';
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The relay's port is taken (another relay, or another program). Its own class so that `npm run relay` can
 * say so in one line with the setting that picks another port, instead of a stack trace.
 */
export class PortInUseError extends RelayError {
  constructor(
    readonly host: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.InvalidOperation, `port ${port} on ${host} is already in use`, options);
  }
}
