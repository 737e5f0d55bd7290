/**
 * Other devices' cursors and names in the editor (TipTap's CollaborationCaret over a y-protocols
 * Awareness that the relay layer carries; awareness is never persisted).
 *
 * Why custom renderers: the default ones write `style` attributes, which the Content-Security-Policy
 * (style-src 'self') refuses. The caret is coloured through the CSSOM (allowed), the selection through a
 * class per colour (`remoteCarets.css`).
 */
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import type { Awareness } from 'y-protocols/awareness';
import { CARET_COLOURS } from './caretColours.ts';
import './remoteCarets.css';

function colourOf(user: Record<string, unknown>): number {
  const c = user.colour;
  return typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < CARET_COLOURS.length ? c : 0;
}

export function remoteCarets(awareness: Awareness, user: { name: string; colour: number }) {
  return CollaborationCaret.configure({
    provider: { awareness },
    user,
    render(u) {
      const caret = document.createElement('span');
      caret.className = 'remote-caret';
      caret.style.borderColor = CARET_COLOURS[colourOf(u)] ?? CARET_COLOURS[0];
      const label = document.createElement('span');
      label.className = 'remote-caret-label';
      label.style.backgroundColor = CARET_COLOURS[colourOf(u)] ?? CARET_COLOURS[0];
      // Untrusted text from another device: a text node, never HTML.
      label.textContent = typeof u.name === 'string' ? u.name.slice(0, 40) : 'Someone';
      caret.append(label);
      return caret;
    },
    selectionRender(u) {
      return { class: `remote-selection remote-selection--${colourOf(u)}` };
    },
  });
}
