/**
 * The editor loads lazily: nothing of TipTap or ProseMirror is in the scripts index.html loads, so the
 * app shell stays small (bench: bundle rows). A shell import of an editor module (it happened once through
 * the caret colours) would put ~110 KiB gzip back into the shell; this catches it.
 */
import { expect, test } from './fixtures.ts';

test('the app shell holds no editor code; the editor chunk does', async ({ request }) => {
  const html = await (await request.get('/')).text();
  const shell = [...html.matchAll(/<script[^>]+src="([^"]+)"|<link rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1] ?? m[2]!);
  expect(shell.length).toBeGreaterThan(0);
  for (const src of shell) {
    const code = await (await request.get(src)).text();
    expect(/ProseMirror|prosemirror|@tiptap/.exec(code)?.[0] ?? null, `editor code in the shell script ${src}`).toBeNull();
  }
  // The same markers are found where the editor is: the check can see them.
  const entry = await (await request.get(shell[0]!)).text();
  const editorChunk = /assets\/PageEditor-[\w-]+\.js/.exec(entry)?.[0];
  expect(editorChunk, 'the shell names the lazily loaded editor chunk').toBeTruthy();
  expect(await (await request.get(`/${editorChunk!}`)).text()).toMatch(/ProseMirror/);
});
