/**
 * Typed signals about the database connection itself, for the app shell (the UI comes later).
 *
 * 'version-change': another tab opened the database with a newer schema (newVersion, in schema numbers)
 * or deleted it (newVersion null). This connection has been closed and will not reopen: the app must stop
 * writing and ask the user to reload, so the newer code is the only writer.
 */
import { Listeners } from '../../core/Listeners.ts';

export type DatabaseSignal = { type: 'version-change'; dbName: string; newVersion: number | null; message: string };

export type DatabaseSignalListener = (signal: DatabaseSignal) => void;

export class DatabaseSignals {
  private readonly listeners = new Listeners<DatabaseSignal>();
  private lastSignal: DatabaseSignal | null = null;

  /** The last signal emitted, so a listener that subscribes late still learns the connection is gone. */
  get last(): DatabaseSignal | null {
    return this.lastSignal;
  }

  subscribe(listener: DatabaseSignalListener): () => void {
    return this.listeners.add((signal) => {
      try {
        listener(signal);
      } catch (e) {
        // One broken listener must not keep the others from learning the database is gone.
        console.error('DatabaseSignals listener failed', e);
      }
    });
  }

  emit(signal: DatabaseSignal): void {
    this.lastSignal = signal;
    this.listeners.emit(signal);
  }
}
