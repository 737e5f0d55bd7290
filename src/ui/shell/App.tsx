import { describeError } from '../common/describeError.ts';
import { UpdatePrompt } from './UpdatePrompt.tsx';
import { useLocalWorkspace } from './useLocalWorkspace.ts';
import { Workspace } from './Workspace.tsx';

/** The app: opens the local workspace, then shows the workspace screen. */
export function App() {
  const state = useLocalWorkspace();
  if (state.status === 'opening') return <main className="shell"><p role="status">Opening your workspace…</p></main>;
  if (state.status === 'failed') {
    // A database written by a newer Quire ends here: the update prompt is then the way forward.
    return (
      <>
        <main className="shell">
          <h1>Quire</h1>
          <p role="alert">{describeError(state.error)}</p>
        </main>
        <UpdatePrompt status={null} />
      </>
    );
  }
  return (
    <>
      <Workspace app={state.app} />
      <UpdatePrompt status={state.app.workspace.status} />
    </>
  );
}
