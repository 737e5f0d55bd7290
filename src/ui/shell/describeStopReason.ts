/**
 * Why sync stopped, in the user's words: one sentence per relay close reason (the compiler checks that none
 * is missing). An unreachable relay is not a stop: the status says "Offline" and keeps retrying.
 */
import { SyncStopReason } from '../../protocol/closeReason.ts';
const REASONS = {
  expired: 'the invite this device joined with has expired. Ask the owner for a new invite link.',
  revoked: 'the owner revoked this device’s access.',
  unauthorized: 'the relay did not accept this device’s invite.',
  forbidden: 'this device may only view this space; the relay refused a change.',
  'invalid-update': 'the relay refused a change it could not read.',
  'too-large': 'a page is larger than the relay accepts.',
  'rate-limited': 'too many changes at once; the relay asked this device to slow down.',
  'registration-closed': 'this relay accepts new spaces only with an access code from its operator.',
  'quota-exceeded': 'the space reached a limit this relay sets (its storage or its number of members). Ask the relay’s operator.',
  'slow-reader': 'this device fell too far behind reading from the relay; it reconnects by itself.',
} satisfies Record<Exclude<SyncStopReason, 'other'>, string>;

export function describeStopReason(reason: SyncStopReason | null): string {
  if (!reason || reason === SyncStopReason.Other) return 'the relay gave a reason this version does not know.';
  return REASONS[reason];
}
