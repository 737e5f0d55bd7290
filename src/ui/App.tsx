import { useState } from 'react';
import { describeError } from './describeError.ts';
import { NewSpaceDialog } from './NewSpaceDialog.tsx';
import { SaveStatusIndicator } from './SaveStatusIndicator.tsx';
import { SpaceList } from './SpaceList.tsx';
import { useLocalWorkspace } from './useLocalWorkspace.ts';

/** The shell of the app. The workspace UI (sidebar, page tree, editor) builds on this in the next issue. */
export function App() {
  const state = useLocalWorkspace();
  const [creating, setCreating] = useState(false);
  if (state.status === 'opening') return <main className="shell"><p role="status">Opening your workspace…</p></main>;
  if (state.status === 'failed') {
    return (
      <main className="shell">
        <h1>Quire</h1>
        <p role="alert">{describeError(state.error)}</p>
      </main>
    );
  }
  const { workspace, collections } = state;
  return (
    <main className="shell">
      <header className="shell-header">
        <h1>Quire</h1>
        <SaveStatusIndicator status={workspace.status} />
      </header>
      <button type="button" onClick={() => setCreating(true)}>New space</button>
      <SpaceList collections={collections} />
      {creating && (
        <NewSpaceDialog
          onCancel={() => setCreating(false)}
          onCreate={async (name) => {
            await workspace.createSpace({ name });
          }}
        />
      )}
    </main>
  );
}
