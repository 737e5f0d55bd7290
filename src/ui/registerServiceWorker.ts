// Registers the service worker from a module (the CSP allows no inline script). Only in the built app:
// the dev server has no worker.
import { Workbox } from 'workbox-window';

export function registerServiceWorker(): Workbox | null {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return null;
  const wb = new Workbox('/sw.js');
  wb.register().catch((e: unknown) => console.error('Service worker registration failed', e));
  return wb;
}
