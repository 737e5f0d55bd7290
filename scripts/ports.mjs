// Ports `npm start` needs, checked before its build: a port already taken (often by a relay or a preview
// still running) is said in one line with the setting that picks another, not as a child's stack trace
// after a minute of building.
import { createServer } from 'node:net';

/** The relay's and the app's ports as `npm start` runs them, each with the variable that changes it. */
export const RELAY_PORT_VARIABLE = 'QUIRE_RELAY_PORT';
export const APP_PORT_VARIABLE = 'QUIRE_APP_PORT';
export const DEFAULT_RELAY_PORT = 4444;
export const DEFAULT_APP_PORT = 4173;

/**
 * Whether `port` on `host` is taken: tries to listen on it and lets go at once. Any other failure to
 * listen (a bad host, no permission) is not "taken" and is left to the server that needs the port.
 * @param {number} port
 * @param {string} host
 * @returns {Promise<boolean>}
 */
export function portTaken(port, host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (/** @type {NodeJS.ErrnoException} */ e) => (e.code === 'EADDRINUSE' ? resolve(true) : reject(e)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/**
 * The one line that says a port is taken and how to pick another.
 * @param {{ what: string, port: number, host: string, variable: string }} p
 * @returns {string}
 */
export function portTakenLine({ what, port, host, variable }) {
  const other = port === 65_535 ? port - 1 : port + 1;
  return `npm start: the ${what}'s port ${port} on ${host} is already in use (is Quire already running?). Stop that, or pick another port with ${variable}, e.g. ${variable}=${other} npm start`;
}

/**
 * A port setting as typed, or its default; throws a one-line message for anything else.
 * @param {string | undefined} raw
 * @param {number} fallback
 * @param {string} variable
 * @returns {number}
 */
export function readPort(raw, fallback, variable) {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${variable} must be an integer from 0 to 65535, got "${raw}"`);
  return port;
}

/**
 * The lines for every port of `wanted` that is taken (empty: all free). Port 0 (any free port) is never taken.
 * @param {{ what: string, port: number, host: string, variable: string }[]} wanted
 * @returns {Promise<string[]>}
 */
export async function takenPortLines(wanted) {
  const taken = await Promise.all(wanted.map((w) => (w.port === 0 ? false : portTaken(w.port, w.host))));
  return wanted.filter((_, i) => taken[i]).map(portTakenLine);
}
