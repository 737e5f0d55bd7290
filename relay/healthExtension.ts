import type { Extension, onRequestPayload } from '@hocuspocus/server';

export const HEALTH_PATH = '/healthz';

/**
 * What GET /healthz answers: enough for a probe; with `detail`, also the relay's load (a test sees it, an
 * operator who exposes the port may prefer not to show it to everyone).
 */
export interface RelayHealth {
  status: 'ok';
  documents?: number;
  connections?: number;
}

export interface HealthOptions {
  /** Show document and connection counts (relay/main.ts: QUIRE_RELAY_HEALTH_DETAIL, default on loopback only). */
  readonly detail: boolean;
}

/**
 * Serves GET /healthz. Hocuspocus answers every plain HTTP request with a welcome text unless a hook
 * rejects; rejecting with a falsy value stops the chain without being treated as an error.
 */
export function healthExtension({ detail }: HealthOptions): Extension {
  return {
    extensionName: 'quire-health',
    onRequest({ request, response, instance }: onRequestPayload): Promise<void> {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET' || path !== HEALTH_PATH) return Promise.resolve();
      const body: RelayHealth = detail ? { status: 'ok', documents: instance.getDocumentsCount(), connections: instance.getConnectionsCount() } : { status: 'ok' };
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify(body));
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- Hocuspocus's "handled, stop here" signal
      return Promise.reject(null);
    },
  };
}
