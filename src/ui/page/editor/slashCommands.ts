/**
 * The blocks the slash menu inserts. Each command first deletes the "/query" text the user typed, then
 * changes the block, in one chain (one undo step).
 */
import type { Editor, Range } from '@tiptap/core';
// The commands below are declared by these extensions (TypeScript module augmentation of ChainedCommands).
import type {} from '@tiptap/starter-kit';
import type {} from '@tiptap/extension-task-list';
import type { MenuItem } from './suggestionMenu.ts';

export interface SlashCommand extends MenuItem {
  /** Extra words the filter matches besides the label. */
  readonly keywords: string;
  readonly run: (editor: Editor, range: Range) => void;
}

/** What the "Link to page" command types: the trigger of the page-link search, which opens by itself. */
export const PAGE_LINK_TRIGGER = '[[';

export const SLASH_COMMANDS: readonly SlashCommand[] = [
  { id: 'h1', label: 'Heading 1', keywords: 'title h1 #', run: (e, r) => e.chain().focus().deleteRange(r).setNode('heading', { level: 1 }).run() },
  { id: 'h2', label: 'Heading 2', keywords: 'subtitle h2 ##', run: (e, r) => e.chain().focus().deleteRange(r).setNode('heading', { level: 2 }).run() },
  { id: 'h3', label: 'Heading 3', keywords: 'h3 ###', run: (e, r) => e.chain().focus().deleteRange(r).setNode('heading', { level: 3 }).run() },
  { id: 'ul', label: 'Bulleted list', keywords: 'unordered bullet ul -', run: (e, r) => e.chain().focus().deleteRange(r).toggleBulletList().run() },
  { id: 'ol', label: 'Numbered list', keywords: 'ordered ol 1.', run: (e, r) => e.chain().focus().deleteRange(r).toggleOrderedList().run() },
  { id: 'task', label: 'Task list', keywords: 'todo checkbox check', run: (e, r) => e.chain().focus().deleteRange(r).toggleTaskList().run() },
  { id: 'quote', label: 'Quote', keywords: 'blockquote citation >', run: (e, r) => e.chain().focus().deleteRange(r).setBlockquote().run() },
  { id: 'code', label: 'Code block', keywords: 'pre snippet ```', run: (e, r) => e.chain().focus().deleteRange(r).setCodeBlock().run() },
  { id: 'hr', label: 'Divider', keywords: 'horizontal rule separator line hr ---', run: (e, r) => e.chain().focus().deleteRange(r).setHorizontalRule().run() },
  {
    id: 'link',
    label: 'Link to page',
    keywords: 'page mention reference @ [[',
    run: (e, r) => e.chain().focus().deleteRange(r).insertContent(PAGE_LINK_TRIGGER).run(),
  },
];

/** The commands whose label or keywords contain every word of the query, labels first. */
export function filterSlashCommands(query: string): SlashCommand[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...SLASH_COMMANDS];
  const scored: { command: SlashCommand; score: number }[] = [];
  for (const command of SLASH_COMMANDS) {
    const label = command.label.toLowerCase();
    const all = `${label} ${command.keywords.toLowerCase()}`;
    if (!words.every((w) => all.includes(w))) continue;
    scored.push({ command, score: label.startsWith(words[0]!) ? 0 : words.every((w) => label.includes(w)) ? 1 : 2 });
  }
  return scored.sort((a, b) => a.score - b.score).map((s) => s.command);
}
