import * as Y from 'yjs';

/** Plain text of a page's editor content ('default' fragment), one line per text block: the draft mailbox's snippet, and what tests read back from stored pages. */
export function pageText(doc: Y.Doc): string {
  const parts: string[] = [];
  const walk = (node: Y.XmlFragment | Y.XmlElement | Y.XmlText) => {
    if (node instanceof Y.XmlText) {
      const delta = node.toDelta() as { insert?: unknown }[];
      return void parts.push(delta.map((d) => (typeof d.insert === 'string' ? d.insert : '')).join(''));
    }
    for (const child of node.toArray()) if (child instanceof Y.XmlElement || child instanceof Y.XmlText) walk(child);
  };
  walk(doc.getXmlFragment('default'));
  return parts.filter((p) => p.length > 0).join('\n');
}
