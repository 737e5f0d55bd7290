import { RelayCloseCode, formatCloseReason } from '../src/protocol/accessMessages.ts';
import type { RelayCloseReason } from '../src/protocol/accessMessages.ts';

/**
 * What the relay throws from a Hocuspocus hook to refuse one document session: from `onAuthenticate` it
 * becomes the permission-denied answer, from a message hook (beforeHandleMessage, beforeSync) it closes that
 * document's session only. Hocuspocus reads `code` and `reason` off whatever is thrown; the client sees only
 * the reason, `<RelayCloseReason>` or `<RelayCloseReason>: <why>` (src/protocol/accessMessages.ts).
 */
export class SessionRefusal extends Error {
  override readonly name = 'SessionRefusal';
  readonly code: number;
  readonly reason: string;
  constructor(
    readonly closeReason: RelayCloseReason,
    why?: string,
  ) {
    super(why ? `${closeReason}: ${why}` : closeReason);
    this.code = RelayCloseCode[closeReason];
    this.reason = formatCloseReason(closeReason, why);
  }
}
