/**
 * Relay figures, in Node. Today: a Hocuspocus provider round trip between two Node clients through the real
 * relay process (relay/testing), against a bare WebSocket echo round trip on loopback. The Quire relay
 * client (issue 4) rows stay pending until it exists: first sync of 1,000 pages and resync after 10 changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { connectClient } from '../../relay/testing/relayClient.ts';
import { startRelayProcess } from '../../relay/testing/relayProcess.ts';
import type { Figure } from '../figure.ts';
import type { Sizes } from '../sizes.ts';

/** Round trips per figure: cheap, so more than the minimum. */
const MIN_ROUND_TRIPS = 50;
const PENDING = 'pending relay client (issue 4)';

async function bareRoundTrips(n: number): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  await new Promise<void>((r) => server.once('listening', () => r()));
  const { port } = server.address() as { port: number };
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise<void>((r, f) => ws.once('open', () => r()).once('error', f));
  const out: number[] = [];
  const payload = new Uint8Array(32); // about the size of a one-character Yjs update
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      ws.once('message', () => r());
      ws.send(payload);
    });
    out.push(performance.now() - t0);
  }
  ws.close();
  await new Promise<void>((r) => server.close(() => r()));
  return out;
}

/** An edit in client A until client B's document holds it, both HocuspocusProviders on the real relay. */
async function hocuspocusRoundTrips(n: number): Promise<number[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'quire-bench-relay-'));
  const relay = await startRelayProcess(dataDir);
  const a = connectClient(relay.url);
  const b = connectClient(relay.url);
  try {
    const docA = a.open('bench-round-trip');
    const docB = b.open('bench-round-trip');
    const synced = (p: { synced: boolean }) => new Promise<void>((r) => { const t = setInterval(() => p.synced && (clearInterval(t), r()), 10); });
    await Promise.all([synced(docA.provider), synced(docB.provider)]);
    const textB = docB.doc.getText('t');
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const arrived = new Promise<void>((r) => {
        const f = () => {
          if (textB.length <= i) return;
          textB.unobserve(f);
          r();
        };
        textB.observe(f);
      });
      const t0 = performance.now();
      docA.doc.getText('t').insert(i, 'x');
      await arrived;
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    a.destroy();
    b.destroy();
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runRelay(s: Sizes): Promise<Figure[]> {
  const n = Math.max(s.samples, s.short ? s.samples : MIN_ROUND_TRIPS);
  const bare = await bareRoundTrips(n);
  const hocus = await hocuspocusRoundTrips(n);
  return [
    {
      workload: 'relay round trip for an edit between two clients',
      what: 'Quire relay client round trip',
      unit: 'ms',
      samples: [],
      pending: PENDING,
      budget: 'p50 <= 1 bare WebSocket round trip above the bare round trip',
      goal: { ratioP50: 2 },
    },
    {
      workload: 'relay round trip (interim: Hocuspocus providers in Node)',
      what: 'a one-character edit in client A until client B has it, two HocuspocusProviders on the real relay process',
      unit: 'ms',
      samples: hocus,
      baseline: { what: 'bare WebSocket echo round trip on loopback (ws, 32 bytes)', samples: bare },
      budget: 'p50 <= 1 bare WebSocket round trip above the bare round trip (i.e. ratio <= 2)',
      goal: { ratioP50: 2 },
    },
    { workload: 'first sync of a 1,000-page space to a new device', what: 'Quire relay client', unit: 'ms', samples: [], pending: PENDING, budget: 'report' },
    { workload: 'resync after 10 of 1,000 pages changed', what: 'Quire relay client', unit: 'ms', samples: [], pending: PENDING, budget: '< 5% of the first sync' },
  ];
}
