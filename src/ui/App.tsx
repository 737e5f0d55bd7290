import { useEffect, useState } from 'react';
import { openBrowserStatus, type BrowserStatus } from './browserStatus.ts';

/** The shell of the app. The workspace UI (spaces, sidebar, editor) builds on this in the next issue. */
export function App() {
  const [status, setStatus] = useState<BrowserStatus | null>(null);
  useEffect(() => {
    let live = true;
    void openBrowserStatus().then((s) => live && setStatus(s));
    return () => {
      live = false;
    };
  }, []);
  return (
    <main className="shell">
      <h1>Quire</h1>
      <p>A local-first workspace: your pages live on your device first.</p>
      <p role="status" aria-label="Storage status">
        {status === null ? 'Checking local storage…' : status.indexedDb ? 'Local storage ready' : 'Local storage is unavailable in this browser'}
      </p>
    </main>
  );
}
