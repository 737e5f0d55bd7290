import { useEffect } from 'react';
import type { SaveStatus } from '../../core/manager/SaveStatus.ts';

/**
 * Warns before the tab closes (or navigates away) while a change is not yet acknowledged, or a layer is
 * failing (its backlog lives only in memory). The browser shows its own wording; pagehide still flushes
 * what it can if the user leaves anyway.
 */
export function useUnsavedWarning(status: SaveStatus): void {
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (status.snapshot().device.state === 'saved') return;
      event.preventDefault();
      // Older Chromium versions need returnValue set to show the dialog.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [status]);
}
