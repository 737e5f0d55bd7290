/** The "Page details" line under a page's title: when it was created, when edited, and its length. */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Past this age an edit time is shown as a date instead of "N h ago". */
const RELATIVE_LIMIT_MS = 24 * HOUR_MS;

export function formatDate(ms: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(ms);
}

export function formatEdited(updatedAt: number, now: number, locale?: string): string {
  const age = Math.max(0, now - updatedAt);
  if (age < MINUTE_MS) return 'Edited just now';
  if (age < HOUR_MS) return `Edited ${Math.floor(age / MINUTE_MS)} min ago`;
  if (age < RELATIVE_LIMIT_MS) return `Edited ${Math.floor(age / HOUR_MS)} h ago`;
  return `Edited ${formatDate(updatedAt, locale)}`;
}

export function formatPageDetails(page: { createdAt: number; updatedAt: number }, words: number | null, now: number, locale?: string): string {
  const parts = [`Created ${formatDate(page.createdAt, locale)}`, formatEdited(page.updatedAt, now, locale)];
  if (words !== null) parts.push(`${words} ${words === 1 ? 'word' : 'words'}`);
  return parts.join(' · ');
}
