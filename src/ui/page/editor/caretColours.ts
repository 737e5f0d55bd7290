/**
 * Who this device is in other devices' editors: a name and a colour index. Apart from remoteCarets.ts so
 * that the page view (in the app shell) can make one without importing TipTap, which belongs to the lazily
 * loaded editor chunk (measured: importing it from the shell moved ~110 KiB gzip into the shell).
 */

/** Colours a device can get; chosen from its awareness client id, so each device keeps one. */
export const CARET_COLOURS = ['#d9480f', '#1971c2', '#2f9e44', '#9c36b5', '#e8590c', '#0c8599', '#c2255c', '#5f3dc4'] as const;

export function caretUser(name: string, clientId: number): { name: string; colour: number } {
  return { name: name || 'Someone', colour: clientId % CARET_COLOURS.length };
}
