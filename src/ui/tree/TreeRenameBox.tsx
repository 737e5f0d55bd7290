/**
 * The inline rename box of a tree row (F2, a double-click, or "Rename" in the row's menu). Enter and
 * leaving the box commit, Escape cancels; either way `onDone` runs once, telling the tree whether to focus
 * the row again (after a key, yes; after a click elsewhere, no: focus stays where the user put it).
 */
import { useEffect, useRef, useState } from 'react';

export function TreeRenameBox({ title, onCommit, onDone }: { title: string; onCommit: (title: string) => void; onDone: (refocus: boolean) => void }) {
  const [value, setValue] = useState(title);
  const ref = useRef<HTMLInputElement>(null);
  // Enter unmounts the box, and the blur that may follow must not commit (or finish) a second time.
  const finished = useRef(false);

  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  const finish = (commit: boolean, refocus: boolean) => {
    if (finished.current) return;
    finished.current = true;
    if (commit) onCommit(value);
    onDone(refocus);
  };

  return (
    <input
      ref={ref}
      className="tree-rename"
      aria-label="Rename page"
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onClick={(e) => e.stopPropagation()}
      onDoubleClick={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === 'Escape') {
          e.preventDefault();
          finish(e.key === 'Enter', true);
        }
        // The tree's own keys (arrows, Delete, Alt+arrows) stay in the box while it is open.
        e.stopPropagation();
      }}
      onBlur={() => finish(true, false)}
    />
  );
}
