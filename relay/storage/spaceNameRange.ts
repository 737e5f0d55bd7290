/**
 * The document names of one space, `<spaceId>/<docId>`, as a half-open range in byte (code point) order:
 * every such name is >= `<spaceId>/` and < `<spaceId>0` ('0' follows '/'), and no other name is. A range
 * rather than LIKE, because space ids may hold `_`, LIKE's one-character wildcard.
 */
export function spaceNameRange(spaceId: string): { from: string; to: string } {
  return { from: `${spaceId}/`, to: `${spaceId}0` };
}
