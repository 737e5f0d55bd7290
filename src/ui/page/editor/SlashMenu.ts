/**
 * The slash menu: "/" at the start of a block or after a space opens the "Insert block" menu
 * (@tiptap/suggestion); typing filters it, and choosing an item replaces the "/query" text by the block.
 */
import { Extension } from '@tiptap/core';
import { isChangeOrigin } from '@tiptap/extension-collaboration';
import { PluginKey } from '@tiptap/pm/state';
import { Suggestion } from '@tiptap/suggestion';
import { filterSlashCommands, type SlashCommand } from './slashCommands.ts';
import { menuRenderer, type SuggestionMenuStore } from './suggestionMenu.ts';

export const SLASH_MENU_LABEL = 'Insert block';
/** The suggestion's plugin state (one per editor state, so one key serves every editor). */
export const SLASH_MENU_KEY = new PluginKey('slashMenu');

export const SlashMenu = Extension.create<{ store: SuggestionMenuStore | null }>({
  name: 'slashMenu',
  addOptions: () => ({ store: null }),
  addProseMirrorPlugins() {
    const { store } = this.options;
    if (!store) return [];
    return [
      Suggestion<SlashCommand, SlashCommand>({
        editor: this.editor,
        pluginKey: SLASH_MENU_KEY,
        char: '/',
        allowedPrefixes: [' '],
        // Another user's edit never opens this user's menu.
        shouldShow: ({ transaction }) => !isChangeOrigin(transaction),
        // A "/" in a code block is code.
        allow: ({ state, range }) => !state.doc.resolve(range.from).parent.type.spec.code,
        items: ({ query }) => filterSlashCommands(query),
        command: ({ editor, range, props }) => props.run(editor, range),
        render: menuRenderer<SlashCommand>(store, SLASH_MENU_LABEL),
      }),
    ];
  },
});
