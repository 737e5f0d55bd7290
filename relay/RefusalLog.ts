/**
 * The relay's log of refusals and of sockets it closed, bounded so that a client cannot flood the
 * operator's logs: one line per event, at most `linesPerInterval` lines per remote address and
 * `totalLinesPerInterval` lines in all per interval; what is left out is counted and told once per interval:
 *
 *   Quire relay: refused <document> for <address> (socket <id>): <reason>
 *   Quire relay: closed socket <id> of <address>: <reason>
 *   Quire relay: <n> more refusals from <address> in the last <s>s
 *   Quire relay: <n> more refusals from <m> other addresses in the last <s>s
 */

/** Lines one remote address may cause per interval; the rest are counted into one summary line. */
export const REFUSAL_LOG_LINES_PER_ADDRESS = 10;
/** Lines all addresses together may cause per interval (many addresses: the relay's log still has a bound). */
export const REFUSAL_LOG_LINES_TOTAL = 100;
/** Summary lines per interval, one per address; addresses past this share one line. */
export const REFUSAL_LOG_SUMMARY_ADDRESSES = 20;
/** The interval over which refusals are counted and summarised. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** Bounds a document name or reason in a line (characters): both can come from the client. */
const MAX_FIELD_CHARS = 160;

export interface RefusalEvent {
  readonly address: string;
  /** Hocuspocus's socket id (a UUID); the line shows its first 8 characters. */
  readonly socket: string;
  /** The document, or null for an event of the whole socket. */
  readonly document: string | null;
  readonly reason: string;
}

export interface RefusalLogOptions {
  readonly write?: (line: string) => void;
  readonly intervalMs?: number;
  readonly linesPerAddress?: number;
  readonly linesTotal?: number;
}

export class RefusalLog {
  private readonly write: (line: string) => void;
  private readonly intervalMs: number;
  private readonly linesPerAddress: number;
  private readonly linesTotal: number;
  /** Per address this interval: lines written, events left out. */
  private counts = new Map<string, { written: number; left: number }>();
  private written = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(options: RefusalLogOptions = {}) {
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.intervalMs = options.intervalMs ?? REFUSAL_LOG_INTERVAL_MS;
    this.linesPerAddress = options.linesPerAddress ?? REFUSAL_LOG_LINES_PER_ADDRESS;
    this.linesTotal = options.linesTotal ?? REFUSAL_LOG_LINES_TOTAL;
    this.timer = setInterval(() => this.summarise(), this.intervalMs);
    this.timer.unref(); // the log never keeps the process alive
  }

  refused(event: RefusalEvent): void {
    let count = this.counts.get(event.address);
    if (!count) this.counts.set(event.address, (count = { written: 0, left: 0 }));
    if (count.written >= this.linesPerAddress || this.written >= this.linesTotal) {
      count.left += 1;
      return;
    }
    count.written += 1;
    this.written += 1;
    const socket = event.socket.slice(0, 8);
    const reason = oneLine(event.reason);
    this.write(
      event.document === null
        ? `Quire relay: closed socket ${socket} of ${event.address}: ${reason}`
        : `Quire relay: refused ${oneLine(event.document)} for ${event.address} (socket ${socket}): ${reason}`,
    );
  }

  /** Writes the summary of the interval now ending and starts a new one. */
  summarise(): void {
    const seconds = Math.round(this.intervalMs / 1000);
    const left = [...this.counts].filter(([, c]) => c.left > 0);
    for (const [address, c] of left.slice(0, REFUSAL_LOG_SUMMARY_ADDRESSES)) this.write(`Quire relay: ${c.left} more refusals from ${address} in the last ${seconds}s`);
    const rest = left.slice(REFUSAL_LOG_SUMMARY_ADDRESSES);
    if (rest.length > 0) this.write(`Quire relay: ${rest.reduce((n, [, c]) => n + c.left, 0)} more refusals from ${rest.length} other addresses in the last ${seconds}s`);
    this.counts = new Map();
    this.written = 0;
  }

  stop(): void {
    clearInterval(this.timer);
    this.summarise();
  }
}

/** A client-chosen string as one short line: control characters (newlines among them) become spaces. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- exactly the characters that could break a log line
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return flat.length > MAX_FIELD_CHARS ? `${flat.slice(0, MAX_FIELD_CHARS)}…` : flat;
}
