// `npm start`: builds the app, then runs a local relay and the app's preview server side by side, so a
// newcomer can share a space between two browser windows with no other setup. Ctrl+C stops both; the
// relay stores every document before it exits (graceful stop, docs/relay.md).
import { spawn, spawnSync } from 'node:child_process';
import { APP_PORT_VARIABLE, DEFAULT_APP_PORT, DEFAULT_RELAY_PORT, RELAY_PORT_VARIABLE, readPort, takenPortLines } from './ports.mjs';

/** Where the preview serves the app; the Share dialog proposes ws://<the app's host>:4444 as the relay. */
const APP_HOST = '127.0.0.1';
/** The relay reads these variables itself (relay/main.ts); they are read here only to check the port. */
const RELAY_HOST = process.env.QUIRE_RELAY_HOST || '127.0.0.1';

let appPort;
let relayPort;
try {
  appPort = readPort(process.env[APP_PORT_VARIABLE], DEFAULT_APP_PORT, APP_PORT_VARIABLE);
  relayPort = readPort(process.env[RELAY_PORT_VARIABLE], DEFAULT_RELAY_PORT, RELAY_PORT_VARIABLE);
} catch (e) {
  console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
// Before the build: a taken port is known in a moment, and building first would only delay the news.
const taken = await takenPortLines([
  { what: 'relay', port: relayPort, host: RELAY_HOST, variable: RELAY_PORT_VARIABLE },
  { what: 'app', port: appPort, host: APP_HOST, variable: APP_PORT_VARIABLE },
]);
if (taken.length > 0) {
  for (const line of taken) console.error(line);
  process.exit(1);
}

const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const children = [
  spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], { stdio: 'inherit' }),
  spawn('npx', ['vite', 'preview', '--host', APP_HOST, '--port', String(appPort), '--strictPort'], { stdio: 'inherit' }),
];

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));
// If either dies, the pair is no longer what `npm start` promises: stop the other and report the failure.
for (const c of children) {
  c.on('exit', (code) => {
    if (!stopping) {
      console.error(`npm start: a process exited (code ${code}); stopping the other`);
      process.exitCode = code || 1;
    }
    stopAll('SIGTERM');
  });
}
