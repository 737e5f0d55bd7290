import { useEffect } from 'react';

/**
 * Asks the browser to make this origin's storage persistent (exempt from eviction under storage pressure)
 * after the user's first action, not at load: Chromium grants it from engagement (an installed app, a
 * bookmarked site, a site the user interacts with) and other browsers show a prompt, which needs a user
 * gesture to make sense. Settings › Storage shows the outcome and explains a refusal.
 */
export function usePersistAfterFirstAction(): void {
  useEffect(() => {
    const storage = navigator.storage as StorageManager | undefined;
    if (!storage?.persist) return;
    let asked = false;
    const ask = () => {
      if (asked) return;
      asked = true;
      remove();
      void storage
        .persisted()
        .then((already) => (already ? true : storage.persist()))
        .catch(() => false);
    };
    const remove = () => {
      window.removeEventListener('pointerdown', ask, true);
      window.removeEventListener('keydown', ask, true);
    };
    window.addEventListener('pointerdown', ask, true);
    window.addEventListener('keydown', ask, true);
    return remove;
  }, []);
}
