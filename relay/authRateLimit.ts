/**
 * Bounds authentication attempts (Hocuspocus Auth frames), per socket and per remote address, with token
 * buckets (values and variables: relay/limits.ts, docs/relay.md "Limits"):
 *
 * - every attempt takes a token from the socket's and the address's attempt buckets (loose bounds: an
 *   honest first sync authenticates every page of a space on one socket);
 * - an attempt whose capability is not in the relay's verified cache (relay/authExtension.ts calls
 *   `beforeSignatureCheck`) also takes one from the socket's and the address's signature buckets, which
 *   are tight: a signature check is the expensive part, and an honest client needs one per capability.
 *
 * An attempt that finds a bucket empty is refused with `rate-limited` before any store or signature work;
 * at the socket's `rateLimitStrikes`-th such refusal (the count resets once its buckets are full again) the
 * relay closes the whole socket (code 4429, reason `rate-limited`). Clients behind one proxy share an
 * address and so the address buckets.
 */
import type { Extension, onAuthenticatePayload } from '@hocuspocus/server';
import { RelayCloseReason } from '../src/protocol/accessMessages.ts';
import type { RelayLimits } from './limits.ts';
import type { RelaySocket, RelaySockets } from './relaySockets.ts';
import { SessionRefusal } from './SessionRefusal.ts';

/** Bounds the addresses whose buckets are kept; past it the least recently used is forgotten (a full bucket). */
export const MAX_TRACKED_ADDRESSES = 100_000;

/** The part of an authentication the limiter needs: which socket it came on. */
export type AuthAttempt = Pick<onAuthenticatePayload, 'request'>;

class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }
  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
  }
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Buckets {
  attempts: TokenBucket;
  signatures: TokenBucket;
}
interface SocketBuckets extends Buckets {
  strikes: number;
}

export interface AuthRateLimiter {
  /** For authExtension's `beforeSignatureCheck`: throws SessionRefusal(rate-limited) over the bound. */
  beforeSignatureCheck(this: void, attempt: AuthAttempt): void;
  /** Goes before authExtension: refuses an attempt over the all-attempts bounds. */
  readonly extension: Extension;
}

export function authRateLimiter(limits: RelayLimits, sockets: RelaySockets, now: () => number = Date.now): AuthRateLimiter {
  const perSocket = new WeakMap<RelaySocket, SocketBuckets>();
  const perAddress = new Map<string, Buckets>();

  function bucketsOf(socket: RelaySocket, t: number): { own: SocketBuckets; shared: Buckets } {
    let own = perSocket.get(socket);
    if (!own) {
      own = { attempts: new TokenBucket(limits.authAttemptsPerSecond, limits.authAttemptBurst, t), signatures: new TokenBucket(limits.signatureChecksPerSecond, limits.signatureCheckBurst, t), strikes: 0 };
      perSocket.set(socket, own);
    }
    let shared = perAddress.get(socket.address);
    if (shared) {
      perAddress.delete(socket.address); // re-inserted below: the map's order is least recently used first
    } else {
      shared = { attempts: new TokenBucket(limits.addressAuthAttemptsPerSecond, limits.addressAuthAttemptBurst, t), signatures: new TokenBucket(limits.addressSignatureChecksPerSecond, limits.addressSignatureCheckBurst, t) };
      if (perAddress.size >= MAX_TRACKED_ADDRESSES) perAddress.delete(perAddress.keys().next().value as string);
    }
    perAddress.set(socket.address, shared);
    return { own, shared };
  }

  function check(request: Request, kind: keyof Buckets, what: string): void {
    const socket = sockets.of(request);
    if (!socket) return; // not a client socket (unreachable: every socket is watched)
    const t = now();
    const { own, shared } = bucketsOf(socket, t);
    if (own.attempts.full(t) && own.signatures.full(t)) own.strikes = 0;
    // The address's bucket is charged only when the socket's had a token: a refused socket costs its neighbours nothing.
    if (own[kind].take(t) && shared[kind].take(t)) return;
    own.strikes += 1;
    if (own.strikes >= limits.rateLimitStrikes) setImmediate(() => socket.close(RelayCloseReason.RateLimited)); // after the refusal is sent
    throw new SessionRefusal(RelayCloseReason.RateLimited, what);
  }

  return {
    beforeSignatureCheck: ({ request }) => check(request, 'signatures', 'too many signature checks'),
    extension: {
      extensionName: 'quire-auth-rate-limit',
      onAuthenticate({ request }: onAuthenticatePayload): Promise<void> {
        return new Promise((done) => {
          check(request, 'attempts', 'too many authentication attempts');
          done();
        });
      },
    },
  };
}
