import { useLiveQuery } from '@tanstack/react-db';
import type { PageCollections } from '../collections/index.ts';

/** The spaces on this device, read through the read-only projection collection. */
export function SpaceList({ collections }: { collections: PageCollections }) {
  const { data } = useLiveQuery((q) => q.from({ s: collections.spaces() }).orderBy(({ s }) => s.createdAt, 'asc'));
  if (data.length === 0) return <p className="empty">No spaces yet. Create one to start writing.</p>;
  return (
    <ul aria-label="Spaces" className="space-list">
      {data.map((s) => (
        <li key={s.id}>
          {/* A lettered badge, not an emoji: emoji fonts are not everywhere (fresh Linux installs show boxes). */}
          <span className="space-badge" aria-hidden="true">{s.icon ?? s.name.trim().charAt(0).toUpperCase()}</span>
          {s.name}
        </li>
      ))}
    </ul>
  );
}
