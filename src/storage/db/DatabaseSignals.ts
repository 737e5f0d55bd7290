/**
 * Typed signals about the database connection itself, for the app shell (the UI comes later).
 *
 * 'version-change': another tab opened the database with a newer schema (newVersion, in schema numbers)
 * or deleted it (newVersion null). This connection has been closed and will not reopen: the app must stop
 * writing and ask the user to reload, so the newer code is the only writer.
 */
export type DatabaseSignal = { type: 'version-change'; dbName: string; newVersion: number | null; message: string };

export type DatabaseSignalListener = (signal: DatabaseSignal) => void;

export class DatabaseSignals {
  private readonly listeners = new Set<DatabaseSignalListener>();
  private lastSignal: DatabaseSignal | null = null;

  /** The last signal emitted, so a listener that subscribes late still learns the connection is gone. */
  get last(): DatabaseSignal | null {
    return this.lastSignal;
  }

  subscribe(listener: DatabaseSignalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(signal: DatabaseSignal): void {
    this.lastSignal = signal;
    for (const listener of [...this.listeners]) {
      try {
        listener(signal);
      } catch (e) {
        // One broken listener must not keep the others from learning the database is gone.
        console.error('DatabaseSignals listener failed', e);
      }
    }
  }
}
