/**
 * Links between pages: an inline atom node `pageLink` (attribute `pageId`) that shows the target's CURRENT
 * title (it follows renames through Space.observe) and navigates to it on click. A link whose target was
 * deleted forever reads "Deleted page" and goes nowhere. "@" (after a space or at the start of a block)
 * and "[[" (anywhere) open the "Link to page" search over the space's live pages.
 */
import { mergeAttributes, Node, type Editor } from '@tiptap/core';
import { isChangeOrigin } from '@tiptap/extension-collaboration';
import type { Node as PmNode } from '@tiptap/pm/model';
import { PluginKey, type EditorState } from '@tiptap/pm/state';
import { Suggestion } from '@tiptap/suggestion';
import type { SpaceHandle } from '../../../core/manager/SpaceHandle.ts';
import { PAGE_LINK_TRIGGER } from './slashCommands.ts';
import { PageSearch } from '../../search/pageSearch.ts';
import { pageTitle } from '../../tree/PageTree.tsx';
import { formatRoute, navigate } from '../../shell/route.ts';
import { menuRenderer, type MenuItem, type SuggestionMenuStore } from './suggestionMenu.ts';

export const PAGE_LINK_MENU_LABEL = 'Link to page';
export const DELETED_PAGE_LABEL = 'Deleted page';
/** The plugin states of the two link searches ('@' and '[['). */
export const PAGE_LINK_KEYS = [new PluginKey('pageLinkAt'), new PluginKey('pageLinkBrackets')] as const;
/** Bounds the options of the link search (the best matches first). */
export const MAX_LINK_OPTIONS = 20;

export interface PageLinkOptions {
  space: SpaceHandle | null;
  /** The page being edited: never offered as a link target. */
  pageId: string | null;
  store: SuggestionMenuStore | null;
}

/** The text of a link to `pageId` now: the page's title, or DELETED_PAGE_LABEL. */
export function pageLinkText(space: SpaceHandle | null, pageId: string | null): string {
  const page = pageId ? space?.space.getPage(pageId) : undefined;
  return page ? pageTitle(page.title) : DELETED_PAGE_LABEL;
}

/** The page-link targets in a document, each once. */
export function pageLinkTargets(doc: PmNode): string[] {
  const ids = new Set<string>();
  doc.descendants((node) => {
    if (node.type.name === 'pageLink' && typeof node.attrs.pageId === 'string') ids.add(node.attrs.pageId);
  });
  return [...ids];
}

/**
 * The search behind the link popups. The index over the space's live pages is built when a search starts
 * and rebuilt only after the tree changed, so typing narrows the previous matches (pageSearch.ts).
 */
class LinkSearch {
  private index: PageSearch | null = null;
  private unobserve: (() => void) | null = null;

  constructor(
    private readonly space: SpaceHandle,
    private readonly pageId: string | null,
  ) {}

  items(query: string): MenuItem[] {
    if (!this.index) {
      const pages = this.space.space.listPages().filter((p) => !p.inTrash && p.id !== this.pageId);
      this.index = new PageSearch(pages);
      this.unobserve ??= this.space.space.observe(() => (this.index = null));
    }
    return this.index.search(query, MAX_LINK_OPTIONS).map((p) => ({
      id: p.id,
      label: pageTitle(p.title),
      detail: this.space.space
        .ancestors(p.id)
        .map((a) => pageTitle(a.title))
        .join(' / '),
    }));
  }

  dispose(): void {
    this.unobserve?.();
    this.unobserve = null;
    this.index = null;
  }
}

function insertLink(editor: Editor, range: { from: number; to: number }, pageId: string): void {
  editor
    .chain()
    .focus()
    .insertContentAt(range, [
      { type: 'pageLink', attrs: { pageId } },
      { type: 'text', text: ' ' },
    ])
    .run();
}

export const PageLink = Node.create<PageLinkOptions, { search: LinkSearch | null }>({
  name: 'pageLink',
  group: 'inline',
  inline: true,
  atom: true,
  selectable: true,
  draggable: false,

  addOptions: () => ({ space: null, pageId: null, store: null }),
  addStorage: () => ({ search: null }),

  addAttributes() {
    return {
      pageId: {
        default: null,
        parseHTML: (element) => element.getAttribute('data-page-id'),
        renderHTML: (attributes) => ({ 'data-page-id': attributes.pageId as string | null }),
      },
    };
  },

  parseHTML: () => [{ tag: 'a[data-page-link]' }],

  renderHTML({ node, HTMLAttributes }) {
    const pageId = node.attrs.pageId as string | null;
    const space = this.options.space;
    const href = space && pageId ? formatRoute({ spaceId: space.id, pageId }) : null;
    return ['a', mergeAttributes({ 'data-page-link': '', class: 'page-link' }, href ? { href } : {}, HTMLAttributes), pageLinkText(space, pageId)];
  },

  renderText({ node }) {
    return pageLinkText(this.options.space, node.attrs.pageId as string | null);
  },

  addNodeView() {
    const space = this.options.space;
    return ({ node }) => {
      const pageId = node.attrs.pageId as string | null;
      const dom = document.createElement('a');
      dom.contentEditable = 'false';
      dom.dataset.pageLink = '';
      if (pageId) dom.dataset.pageId = pageId;
      const render = () => {
        const page = pageId ? space?.space.getPage(pageId) : undefined;
        dom.textContent = pageLinkText(space, pageId);
        dom.className = page ? 'page-link' : 'page-link page-link--deleted';
        if (page && space && pageId) {
          dom.href = formatRoute({ spaceId: space.id, pageId });
          dom.removeAttribute('aria-disabled');
        } else {
          dom.removeAttribute('href');
          dom.setAttribute('aria-disabled', 'true');
        }
      };
      render();
      // Links are not followed inside a contenteditable: navigate ourselves (the app follows the hash).
      const onClick = (e: MouseEvent) => {
        if (!space || !pageId || !dom.hasAttribute('href') || e.button !== 0) return;
        if (e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab or window: the browser's default
        e.preventDefault();
        navigate({ spaceId: space.id, pageId });
      };
      dom.addEventListener('click', onClick);
      const unobserve = space?.space.observe((changes) => {
        if (changes.some((c) => (c.type === 'page-deleted' ? c.pageId === pageId : c.type !== 'space-updated' && c.page.id === pageId))) render();
      });
      return {
        dom,
        update: (next) => next.type.name === 'pageLink' && next.attrs.pageId === pageId,
        ignoreMutation: () => true,
        destroy: () => {
          dom.removeEventListener('click', onClick);
          unobserve?.();
        },
      };
    };
  },

  addProseMirrorPlugins() {
    const { space, store, pageId } = this.options;
    if (!space || !store) return [];
    const storage = this.storage;
    const search = () => (storage.search ??= new LinkSearch(space, pageId));
    const common = {
      editor: this.editor,
      // Another user's edit never opens this user's search.
      shouldShow: ({ transaction }: { transaction: Parameters<typeof isChangeOrigin>[0] }) => !isChangeOrigin(transaction),
      // "@" and "[[" in a code block are code.
      allow: ({ state, range }: { state: EditorState; range: { from: number } }) => !state.doc.resolve(range.from).parent.type.spec.code,
      items: ({ query }: { query: string }) => search().items(query),
      command: ({ editor, range, props }: { editor: Editor; range: { from: number; to: number }; props: MenuItem }) => insertLink(editor, range, props.id),
      render: menuRenderer<MenuItem>(store, PAGE_LINK_MENU_LABEL),
    };
    return [
      Suggestion<MenuItem, MenuItem>({ ...common, pluginKey: PAGE_LINK_KEYS[0], char: '@', allowedPrefixes: [' '] }),
      Suggestion<MenuItem, MenuItem>({ ...common, pluginKey: PAGE_LINK_KEYS[1], char: PAGE_LINK_TRIGGER, allowedPrefixes: null, allowSpaces: true }),
    ];
  },

  onDestroy() {
    this.storage.search?.dispose();
    this.storage.search = null;
  },
});
