/**
 * Why sync stopped, in the user's words. The reasons are the relay's per-document close reasons and the
 * layer's own (relay unreachable); an unknown one is shown as it came, never hidden.
 */
const REASONS: Record<string, string> = {
  expired: 'the invite this device joined with has expired. Ask the owner for a new invite link.',
  revoked: 'the owner revoked this device’s access.',
  unauthorized: 'the relay did not accept this device’s invite.',
  forbidden: 'this device may only view this space; the relay refused a change.',
  'invalid-update': 'the relay refused a change it could not read.',
  'too-large': 'a page is larger than the relay accepts.',
  'rate-limited': 'too many changes at once; the relay asked this device to slow down.',
  'relay-unreachable': 'the relay cannot be reached.',
};

export function describeStopReason(reason: string | null): string {
  if (!reason) return 'for an unknown reason.';
  const key = Object.keys(REASONS).find((k) => reason === k || reason.startsWith(`${k}:`));
  return key ? REASONS[key]! : `${reason}.`;
}
