/**
 * The rich-text editor of one page: TipTap 3 bound to the page's Y.Doc through the Collaboration
 * extension. Loaded lazily (its own chunk) so the shell stays small. It is mounted only once the page's
 * document has loaded and it never writes initial content: the document is the content.
 *
 * Around the text: the slash menu and the page-link search (one suggestion popup), the live word count
 * (reported to the page view), and, after LOCAL edits only, the page's links and updatedAt written to the
 * space document through PageEditRecorder (another tab's edits are recorded by that tab).
 */
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Collaboration, { isChangeOrigin } from '@tiptap/extension-collaboration';
import { TaskList } from '@tiptap/extension-task-list';
import { TaskItem } from '@tiptap/extension-task-item';
import { exitSuggestion } from '@tiptap/suggestion';
import { useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { remoteCarets } from './remoteCarets.ts';
import type { SpaceHandle } from '../../../core/manager/SpaceHandle.ts';
import { countWords } from './countWords.ts';
import { PageEditRecorder } from './pageEditRecorder.ts';
import { PAGE_LINK_KEYS, PageLink, pageLinkTargets } from './PageLink.ts';
import { SLASH_MENU_KEY, SlashMenu } from './SlashMenu.ts';
import { SuggestionList } from './SuggestionList.tsx';
import { SuggestionMenuStore } from './suggestionMenu.ts';

interface Props {
  doc: Y.Doc;
  space: SpaceHandle;
  pageId: string;
  onWordCount?: (words: number) => void;
  /** A viewer's page: shown, never changed here. */
  readOnly?: boolean;
  /** Other devices' cursors, when the space syncs: the awareness the relay layer carries, and who we are. */
  presence?: { awareness: Awareness; user: { name: string; colour: number } } | null;
}

export default function PageEditor({ doc, space, pageId, onWordCount, readOnly = false, presence = null }: Props) {
  const [menus] = useState(() => new SuggestionMenuStore());
  const [recorder] = useState(() => new PageEditRecorder(space.space, pageId));
  const wordCount = useRef(onWordCount);
  wordCount.current = onWordCount;
  useEffect(() => () => recorder.flush(), [recorder]);

  const editor = useEditor(
    {
      extensions: [
        // Collaboration brings its own undo manager (it undoes only this user's changes): no history here.
        // No trailing node either: it appends a paragraph to the shared document when it is opened, which
        // is seeding content (two tabs opening the same page at once would each add one).
        StarterKit.configure({ undoRedo: false, trailingNode: false }),
        Collaboration.configure({ document: doc, field: 'default' }),
        TaskList,
        TaskItem.configure({ nested: true }),
        SlashMenu.configure({ store: menus }),
        PageLink.configure({ space, pageId, store: menus }),
        ...(presence ? [remoteCarets(presence.awareness, presence.user)] : []),
      ],
      // TipTap would add a <style> element, which the Content-Security-Policy (style-src 'self') refuses;
      // the same rules are in styles.css.
      injectCSS: false,
      editable: !readOnly,
      editorProps: {
        attributes: { role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Page content', class: 'page-content', ...(readOnly ? { 'aria-readonly': 'true' } : {}) },
      },
      // Leaving the editor (a click in the sidebar, Tab) closes an open menu: it belongs to the caret.
      onBlur: ({ editor: e }) => {
        for (const key of [SLASH_MENU_KEY, ...PAGE_LINK_KEYS]) {
          if ((key.getState(e.state) as { active?: boolean } | undefined)?.active) exitSuggestion(e.view, key);
        }
      },
      onCreate: ({ editor: e }) => wordCount.current?.(countWords(e.getText())),
      onUpdate: ({ editor: e, transaction }) => {
        if (!transaction.docChanged) return;
        wordCount.current?.(countWords(e.getText()));
        if (!isChangeOrigin(transaction)) recorder.contentChanged(() => pageLinkTargets(e.state.doc));
      },
    },
    [doc, readOnly, presence],
  );
  return (
    <>
      <EditorContent editor={editor} className="editor" />
      <SuggestionList store={menus} editorElement={() => (editor && !editor.isDestroyed ? editor.view.dom : null)} />
    </>
  );
}
