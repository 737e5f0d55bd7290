/**
 * The "Backlinks" region under a page: the live pages of the space whose content links to it, read from
 * the projection through PageCollections.backlinks (the multiEntry `*links` index), each a link.
 */
import { useLiveQuery } from '@tanstack/react-db';
import { useId } from 'react';
import type { PageCollections } from '../../collections/index.ts';
import { pageTitle } from '../tree/PageTree.tsx';
import { formatRoute } from '../shell/route.ts';
import './editor/editor.css';

export function Backlinks({ collections, spaceId, pageId }: { collections: PageCollections; spaceId: string; pageId: string }) {
  const { data, isReady } = useLiveQuery((q) => q.from({ p: collections.backlinks(spaceId, pageId) }), [collections, spaceId, pageId]);
  const headingId = useId();
  const rows = [...data].sort((a, b) => pageTitle(a.title).localeCompare(pageTitle(b.title)) || (a.id < b.id ? -1 : 1));
  return (
    <section className="backlinks" aria-labelledby={headingId}>
      <h2 id={headingId}>Backlinks</h2>
      {!isReady ? null : rows.length === 0 ? (
        <p>No other page links here.</p>
      ) : (
        <ul>
          {rows.map((p) => (
            <li key={p.id}>
              <a href={formatRoute({ spaceId, pageId: p.id })}>
                {p.icon && <span aria-hidden="true">{p.icon} </span>}
                {pageTitle(p.title)}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
