/**
 * The bridge between TipTap's suggestion plugin (@tiptap/suggestion) and React: each suggestion (the slash
 * menu, the page-link search) publishes its open menu into one small store per editor, which
 * SuggestionList renders. Keys reach the menu through the plugin's onKeyDown while the editor keeps focus,
 * so the caret never leaves the text being typed.
 */
import type { SuggestionOptions, SuggestionProps } from '@tiptap/suggestion';
import { Listeners } from '../../../core/Listeners.ts';

export interface MenuItem {
  readonly id: string;
  readonly label: string;
  /** Secondary text shown after the label (for example a page's ancestors). */
  readonly detail?: string;
}

export interface OpenMenu {
  /** The listbox's accessible name ("Insert block", "Link to page"). */
  readonly label: string;
  readonly items: readonly MenuItem[];
  readonly active: number;
  readonly loading: boolean;
  readonly anchor: () => DOMRect | null;
  readonly pick: (index: number) => void;
  readonly setActive: (index: number) => void;
}

/** The open menu of one editor, read by React through useSyncExternalStore. */
export class SuggestionMenuStore {
  private state: OpenMenu | null = null;
  private readonly listeners = new Listeners<void>();

  readonly subscribe = (listener: () => void): (() => void) => this.listeners.add(listener);
  readonly get = (): OpenMenu | null => this.state;

  set(next: OpenMenu | null): void {
    this.state = next;
    this.listeners.emit();
  }

  /** Closes the menu only if it is still the one named `label` (another suggestion may have opened). */
  clear(label: string): void {
    if (this.state?.label === label) this.set(null);
  }
}

/** A suggestion `render` that publishes the menu named `label` into `store` and handles its keys. */
export function menuRenderer<I extends MenuItem>(store: SuggestionMenuStore, label: string): NonNullable<SuggestionOptions<I, I>['render']> {
  return () => {
    let props: SuggestionProps<I, I> | null = null;
    let active = 0;
    const publish = () => {
      const current = props;
      if (!current) return store.clear(label);
      store.set({
        label,
        items: current.items,
        active: Math.min(active, Math.max(0, current.items.length - 1)),
        loading: current.loading,
        anchor: () => current.clientRect?.() ?? null,
        pick: (index) => {
          const item = current.items[index];
          if (item) current.command(item);
        },
        setActive: (index) => {
          active = index;
          publish();
        },
      });
    };
    return {
      onStart: (p) => {
        props = p;
        active = 0;
        publish();
      },
      onUpdate: (p) => {
        if (p.query !== props?.query) active = 0;
        props = p;
        publish();
      },
      onExit: () => {
        props = null;
        store.clear(label);
      },
      onKeyDown: ({ event }) => {
        if (!props) return false;
        const count = props.items.length;
        if (event.key === 'Escape') {
          props = null;
          store.clear(label);
          return true;
        }
        if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          if (count === 0) return true;
          active = (Math.min(active, count - 1) + (event.key === 'ArrowDown' ? 1 : count - 1)) % count;
          publish();
          return true;
        }
        if (event.key === 'Enter' || event.key === 'Tab') {
          if (count === 0) return false;
          props.command(props.items[Math.min(active, count - 1)]!);
          return true;
        }
        return false;
      },
    };
  };
}
