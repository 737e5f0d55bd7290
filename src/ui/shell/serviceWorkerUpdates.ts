// Registers the service worker from a module (the CSP allows no inline script) and tells the UI when a new
// version is waiting. Only in the built app: the dev server has no worker.
//
// Why the worker waits instead of taking over at once: a new worker's activation deletes the old precache,
// so a tab still running the old code could no longer load its lazy chunks offline, and a forced reload
// could cut off an edit that is not yet saved. The user is asked instead ("A new version of Quire is
// ready"); Reload first waits until every edit is acknowledged.
import { Workbox } from 'workbox-window';
import { Listeners } from '../../core/Listeners.ts';

class ServiceWorkerUpdates {
  private wb: Workbox | null = null;
  private waiting = false;
  private readonly listeners = new Listeners<boolean>();

  get isWaiting(): boolean {
    return this.waiting;
  }

  subscribe(listener: (waiting: boolean) => void): () => void {
    return this.listeners.add(listener);
  }

  register(): void {
    if (import.meta.env.DEV || !('serviceWorker' in navigator) || this.wb) return;
    const wb = new Workbox('/sw.js');
    this.wb = wb;
    // Also fired at registration when a worker was already waiting (the prompt was dismissed earlier).
    wb.addEventListener('waiting', () => this.setWaiting(true));
    wb.register().catch((e: unknown) => console.error('Service worker registration failed', e));
  }

  /** Asks the waiting worker to take over, then reloads this tab once it controls it. */
  activateAndReload(): void {
    const wb = this.wb;
    if (!wb) return window.location.reload();
    // Only this tab reloads: other tabs keep running (and keep their prompt) until their user says so.
    wb.addEventListener('controlling', () => window.location.reload());
    wb.messageSkipWaiting();
  }

  private setWaiting(waiting: boolean): void {
    this.waiting = waiting;
    this.listeners.emit(waiting);
  }
}

export const serviceWorkerUpdates = new ServiceWorkerUpdates();
