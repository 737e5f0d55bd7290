import { describeError } from './describeError.ts';
import { useLocalWorkspace } from './useLocalWorkspace.ts';
import { Workspace } from './Workspace.tsx';

/** The app: opens the local workspace, then shows the workspace screen. */
export function App() {
  const state = useLocalWorkspace();
  if (state.status === 'opening') return <main className="shell"><p role="status">Opening your workspace…</p></main>;
  if (state.status === 'failed') {
    return (
      <main className="shell">
        <h1>Quire</h1>
        <p role="alert">{describeError(state.error)}</p>
      </main>
    );
  }
  return <Workspace workspace={state.workspace} collections={state.collections} ui={state.ui} />;
}
