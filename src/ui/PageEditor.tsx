/**
 * The rich-text editor of one page: TipTap 3 bound to the page's Y.Doc through the Collaboration
 * extension. Loaded lazily (its own chunk) so the shell stays small. It is mounted only once the page's
 * document has loaded and it never writes initial content: the document is the content.
 */
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Collaboration from '@tiptap/extension-collaboration';
import { TaskList } from '@tiptap/extension-task-list';
import { TaskItem } from '@tiptap/extension-task-item';
import { useState } from 'react';
import type * as Y from 'yjs';
import { SlashMenu } from './SlashMenu.ts';
import { SuggestionList } from './SuggestionList.tsx';
import { SuggestionMenuStore } from './suggestionMenu.ts';

export default function PageEditor({ doc, onChange }: { doc: Y.Doc; onChange?: () => void }) {
  const [menus] = useState(() => new SuggestionMenuStore());
  const editor = useEditor(
    {
      extensions: [
        // Collaboration brings its own undo manager (it undoes only this user's changes): no history here.
        // No trailing node either: it appends a paragraph to the shared document when it is opened, which
        // is seeding content (two tabs opening the same page at once would each add one).
        StarterKit.configure({ undoRedo: false, trailingNode: false, link: { openOnClick: false } }),
        Collaboration.configure({ document: doc, field: 'default' }),
        TaskList,
        TaskItem.configure({ nested: true }),
        SlashMenu.configure({ store: menus }),
      ],
      // TipTap would add a <style> element, which the Content-Security-Policy (style-src 'self') refuses;
      // the same rules are in styles.css.
      injectCSS: false,
      editorProps: {
        attributes: { role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Page content', class: 'page-content' },
      },
      onUpdate: ({ transaction }) => {
        if (transaction.docChanged) onChange?.();
      },
    },
    [doc],
  );
  return (
    <>
      <EditorContent editor={editor} className="editor" />
      <SuggestionList store={menus} editorElement={() => (editor && !editor.isDestroyed ? editor.view.dom : null)} />
    </>
  );
}
