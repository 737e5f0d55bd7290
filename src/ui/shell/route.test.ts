import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute } from './route.ts';

describe('hash routes', () => {
  it('round-trip a space and a page', () => {
    const route = { spaceId: 'sp-1', pageId: 'pg/2 x' };
    expect(parseRoute(formatRoute(route))).toEqual(route);
    expect(parseRoute(formatRoute({ spaceId: 'sp-1', pageId: null }))).toEqual({ spaceId: 'sp-1', pageId: null });
  });

  it('read anything else as no route', () => {
    for (const hash of ['', '#', '#/', '#/space/', '#/elsewhere/x', '#/space/a/page/', '#/space/a/b/c']) {
      expect(parseRoute(hash)).toEqual({ spaceId: null, pageId: null });
    }
  });

  it('formats no space as the root', () => {
    expect(formatRoute({ spaceId: null, pageId: null })).toBe('#/');
  });
});
