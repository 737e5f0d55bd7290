/**
 * Hocuspocus's own logging of refusals, made one bounded line each (relay/RefusalLog.ts).
 *
 * Hocuspocus 4.7 has no logger option. For one refused message it writes `[hook] <message>` once per
 * extension after the one that refused (each step of its hook chain logs and rethrows), then
 * `closing connection <socketId> (while handling <doc>) because of exception` with the whole error: its
 * stack and its cause's, ~4 KB per refused update. For each refused authentication it writes
 * `[onAuthenticate] <reason>`. A client can cause any number of these. So:
 *
 * - `hocuspocus.hooks` is replaced by the same chain (extensions in order, a rejection stops it and is
 *   rethrown, the callback after each step) that reports a rejection once: a refusal of an authentication
 *   (SessionRefusal) to the RefusalLog with the socket's address, a refusal in a message hook not at all
 *   (the closing line below reports it), any other error with its hook and message, as before.
 * - console.error's `closing connection ...` lines become one RefusalLog line each: document, address,
 *   socket, and the refusal's reason (or the error's name and message). Every other line passes unchanged.
 */
import type { Hocuspocus } from '@hocuspocus/server';
import type { RefusalLog } from './RefusalLog.ts';
import type { RelaySockets } from './relaySockets.ts';
import { SessionRefusal } from './SessionRefusal.ts';
import { UpdateRefusal } from './UpdateRefusal.ts';

/** Connection.processMessages's line when a message hook or the message itself threw (Hocuspocus 4.7). */
const CLOSING_LINE = /^closing connection (\S+) \(while handling ([\s\S]*)\) because of exception$/;

const isRefusal = (e: unknown): e is SessionRefusal | UpdateRefusal => e instanceof SessionRefusal || e instanceof UpdateRefusal;

/** Installs both; returns the function that puts console.error back (the relay's close calls it). */
export function routeHocuspocusLogs(hocuspocus: Hocuspocus, sockets: RelaySockets, log: RefusalLog): () => void {
  const report = (name: string, payload: Record<string, unknown>, error: unknown): void => {
    if (!(error instanceof Error) || !error.message) return; // Hocuspocus's "stop here" signal, not a failure
    const request = payload.request as Request | undefined;
    const socket = request ? sockets.of(request) : undefined;
    if (isRefusal(error)) {
      if (name !== 'onAuthenticate') return;
      const { socketId, documentName } = payload as { socketId?: string; documentName?: string };
      log.refused({ address: socket?.address ?? 'unknown', socket: socketId ?? '?', document: documentName ?? '?', reason: error.reason });
      return;
    }
    console.error(`[${name}]`, error.message);
  };

  const hooks: Hocuspocus['hooks'] = function quietHooks(this: Hocuspocus, name, payload, callback = null) {
    let chain = Promise.resolve();
    for (const extension of this.configuration.extensions) {
      const hook = extension[name] as ((p: typeof payload) => unknown) | undefined;
      if (typeof hook !== 'function') continue;
      chain = chain.then(() => hook.call(extension, payload) as void);
      if (callback) chain = chain.then((...args: unknown[]) => (callback as (...a: unknown[]) => void)(...args));
    }
    return chain.catch((error: unknown) => {
      report(name, payload as unknown as Record<string, unknown>, error);
      throw error;
    });
  };
  hocuspocus.hooks = hooks;

  const consoleError = console.error;
  console.error = (...args: unknown[]): void => {
    const m = typeof args[0] === 'string' && args.length === 2 ? CLOSING_LINE.exec(args[0]) : null;
    if (!m) {
      consoleError(...args);
      return;
    }
    const [, socketId = '?', document = '?'] = m;
    const error = args[1];
    const reason = isRefusal(error) ? error.reason : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log.refused({ address: sockets.byId(socketId)?.address ?? 'unknown', socket: socketId, document, reason });
  };
  return () => {
    console.error = consoleError;
  };
}
