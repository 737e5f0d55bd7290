export interface BrowserStatus {
  indexedDb: boolean;
}

/** Checks that IndexedDB can be opened here (private modes and blocked storage make it fail). */
export async function openBrowserStatus(): Promise<BrowserStatus> {
  try {
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('quire-probe');
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
    });
    return { indexedDb: true };
  } catch {
    return { indexedDb: false };
  }
}
