/** The "Page details" line under the title: created, edited (relative, refreshed), word count (live). */
import { useEffect, useState } from 'react';
import type { PageRecord } from '../../core/space/types.ts';
import { formatPageDetails } from './formatPageDetails.ts';

/** How often the relative "Edited N min ago" is recomputed while the page stays open. */
const DETAILS_REFRESH_MS = 30_000;

export function PageDetails({ page, words }: { page: PageRecord; words: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), DETAILS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [page.updatedAt]);
  return (
    <p className="page-details" aria-label="Page details">
      {formatPageDetails(page, words, Math.max(now, page.updatedAt))}
    </p>
  );
}
