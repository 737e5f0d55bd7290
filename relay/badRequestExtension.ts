/**
 * Answers 400 to an HTTP request or WebSocket upgrade whose `Host` header does not make a URL. Hocuspocus's
 * WebSocket layer (crossws) builds the request's URL from `http://<Host><path>` and answers a failure to
 * parse it with 500, as if the relay had failed; the client's request is what is wrong.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Extension, onRequestPayload, onUpgradePayload } from '@hocuspocus/server';

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request';

/** Whether the request's URL can be built the way crossws builds it. */
export function hasValidHost(request: IncomingMessage): boolean {
  return URL.canParse(`http://${request.headers.host || 'localhost'}${request.url ?? ''}`);
}

export function badRequestExtension(): Extension {
  return {
    extensionName: 'quire-bad-request',
    onUpgrade({ request, socket }: onUpgradePayload): Promise<void> {
      if (hasValidHost(request)) return Promise.resolve();
      (socket as Duplex).end(BAD_REQUEST);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- Hocuspocus's "handled, stop here" signal
      return Promise.reject(null);
    },
    onRequest({ request, response }: onRequestPayload): Promise<void> {
      if (hasValidHost(request)) return Promise.resolve();
      response.writeHead(400, { 'Content-Type': 'text/plain' });
      response.end('Bad Request');
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- Hocuspocus's "handled, stop here" signal
      return Promise.reject(null);
    },
  };
}
