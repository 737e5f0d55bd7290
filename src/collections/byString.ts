/** Code-unit order of two strings: the order of IndexedDB string keys and of fractional indexes. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
