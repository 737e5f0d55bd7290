// `npm start`: builds the app, then runs a local relay and the app's preview server side by side, so a
// newcomer can share a space between two browser windows with no other setup. Ctrl+C stops both; the
// relay stores every document before it exits (graceful stop, docs/relay.md).
import { spawn, spawnSync } from 'node:child_process';

/** Where the preview serves the app; the Share dialog proposes ws://<the app's host>:4444 as the relay. */
const APP_HOST = '127.0.0.1';
const APP_PORT = process.env.QUIRE_APP_PORT ?? '4173';

const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const children = [
  spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], { stdio: 'inherit' }),
  spawn('npx', ['vite', 'preview', '--host', APP_HOST, '--port', APP_PORT, '--strictPort'], { stdio: 'inherit' }),
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
