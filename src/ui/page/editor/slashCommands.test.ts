import { describe, expect, it } from 'vitest';
import { filterSlashCommands, SLASH_COMMANDS } from './slashCommands.ts';

describe('filterSlashCommands', () => {
  const labels = (q: string) => filterSlashCommands(q).map((c) => c.label);
  it('offers every block for an empty query, in menu order', () => {
    expect(labels('')).toEqual(SLASH_COMMANDS.map((c) => c.label));
  });
  it('matches labels first, then keywords, case-insensitively', () => {
    expect(labels('head')).toEqual(['Heading 1', 'Heading 2', 'Heading 3']);
    expect(labels('LIST')).toEqual(['Bulleted list', 'Numbered list', 'Task list']);
    expect(labels('todo')).toEqual(['Task list']);
    expect(labels('hr')).toEqual(['Divider']);
    expect(labels('page')).toEqual(['Link to page']);
    expect(labels('nothing like it')).toEqual([]);
  });
});
