import { expect, test } from './fixtures.ts';
import { createSpace, newPage, pageContent, saveStatus } from './helpers.ts';

const SLASH_OPTIONS = ['Heading 1', 'Heading 2', 'Heading 3', 'Bulleted list', 'Numbered list', 'Task list', 'Quote', 'Code block', 'Divider', 'Link to page'];

test('the slash menu lists the blocks, filters, is driven by the keyboard and replaces its "/query" text', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Slash');
  await newPage(page, 'Blocks');
  const content = pageContent(page);
  const menu = page.getByRole('listbox', { name: 'Insert block' });

  await page.keyboard.type('/');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('option')).toHaveText(SLASH_OPTIONS);
  await expect(menu.getByRole('option', { name: 'Heading 1' })).toHaveAttribute('aria-selected', 'true');

  // Typing filters; Enter picks the highlighted option; the "/head" text is gone.
  await page.keyboard.type('head');
  await expect(menu.getByRole('option')).toHaveText(['Heading 1', 'Heading 2', 'Heading 3']);
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('option', { name: 'Heading 2' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  await page.keyboard.type('Second level');
  await expect(content.locator('h2')).toHaveText('Second level');
  await expect(content).not.toContainText('/');

  // Escape closes the menu and leaves the text as typed.
  await page.keyboard.press('Enter');
  await page.keyboard.type('/quo');
  await expect(menu.getByRole('option')).toHaveText(['Quote']);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(content.locator('p')).toHaveText(['/quo']);
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');

  // After a space, mid-line, with a click; every block the menu offers.
  const picks: [string, string][] = [
    ['Bulleted list', 'ul > li'],
    ['Numbered list', 'ol > li'],
    ['Task list', 'ul[data-type="taskList"] > li'],
    ['Quote', 'blockquote'],
    ['Code block', 'pre'],
    ['Heading 1', 'h1'],
    ['Heading 3', 'h3'],
  ];
  for (const [name, selector] of picks) {
    await page.keyboard.type(`/`);
    await menu.getByRole('option', { name }).click();
    await expect(menu).toBeHidden();
    await page.keyboard.type(`${name} item`);
    await expect(content.locator(selector).last()).toContainText(`${name} item`);
    // Leave the block for a fresh paragraph (lists and quotes need Enter twice, a code block three times).
    await page.keyboard.press('Enter');
    if (name === 'Code block') {
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
    } else if (!name.startsWith('Heading')) await page.keyboard.press('Enter');
  }
  await page.keyboard.type('Before ');
  await page.keyboard.type('/div');
  await page.keyboard.press('Enter');
  await expect(content.locator('hr')).toHaveCount(1);
  await expect(content).not.toContainText('/div');

  // Not inside a word, not inside code; leaving the editor closes the menu.
  await page.keyboard.type('and/or');
  await expect(menu).toBeHidden();
  await page.keyboard.press('Enter');
  await page.keyboard.type('``` a /path');
  await expect(content.locator('pre').last()).toHaveText('a /path');
  await expect(menu).toBeHidden();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('/');
  await expect(menu).toBeVisible();
  await page.getByRole('textbox', { name: 'Page title' }).click();
  await expect(menu).toBeHidden();
  await expect(saveStatus(page)).toHaveText('Saved on this device');
});

test('Markdown shortcuts turn into blocks and marks as they are typed', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Markdown');
  await newPage(page, 'Shortcuts');
  const content = pageContent(page);
  // [shortcut, where its text lands, the text]
  const blocks: [string, string, string][] = [
    ['# ', 'h1', 'Big title'],
    ['## ', 'h2', 'Smaller title'],
    ['- ', 'ul:not([data-type]) > li', 'A bullet'],
    ['1. ', 'ol > li', 'A number'],
    ['[ ] ', 'ul[data-type="taskList"] > li > div', 'A task'],
    ['> ', 'blockquote', 'A quote'],
    ['``` ', 'pre > code', 'some code'], // "```lang " would name the language
  ];
  for (const [shortcut, selector, text] of blocks) {
    await page.keyboard.type(`${shortcut}${text}`);
    await expect(content.locator(selector)).toHaveText(text);
    await page.keyboard.press('Enter');
    if (shortcut.startsWith('```')) {
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
    } else if (!shortcut.startsWith('#')) await page.keyboard.press('Enter');
  }
  // None of the shortcut characters stayed in the text.
  for (const leftover of ['#', '```', '[ ]', '1.', '>', '-']) await expect(content).not.toContainText(leftover);
  await page.keyboard.type('---');
  await expect(content.locator('hr')).toHaveCount(1);
  // "```" then Enter makes a code block too.
  await page.keyboard.type('```');
  await page.keyboard.press('Enter');
  await page.keyboard.type('more code');
  await expect(content.locator('pre > code')).toHaveText(['some code', 'more code']);
  for (let i = 0; i < 3; i++) await page.keyboard.press('Enter');

  await page.keyboard.type('Some **bold** and *italic* and ~~gone~~ and `code` here');
  await expect(content.locator('strong')).toHaveText('bold');
  await expect(content.locator('em')).toHaveText('italic');
  await expect(content.locator('s')).toHaveText('gone');
  await expect(content.locator('p code')).toHaveText('code');
  await expect(content.locator('p').last()).toHaveText('Some bold and italic and gone and code here');
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  for (const [, selector, text] of blocks) await expect(pageContent(page).locator(selector).first()).toHaveText(text);
  await expect(pageContent(page).locator('strong')).toHaveText('bold');
});

test('page meta: an icon from the grid, and created, edited and a live word count under the title', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Meta');
  await newPage(page, 'Counted');
  const details = page.getByLabel('Page details');
  await expect(details).toHaveText(/^Created .+ · Edited just now · 0 words$/);
  await page.keyboard.type('One two three, four');
  await expect(details).toHaveText(/ · 4 words$/);
  await page.keyboard.press('Enter');
  await page.keyboard.type('five');
  await expect(details).toHaveText(/ · 5 words$/);

  // The icon: a grid of emoji buttons, then Remove icon.
  const iconButton = page.getByRole('button', { name: 'Page icon' });
  await iconButton.click();
  const picker = page.getByRole('dialog', { name: 'Choose a page icon' });
  await expect(picker.getByRole('button', { name: 'Remove icon' })).toBeDisabled();
  await picker.getByRole('button', { name: '🚀', exact: true }).click();
  await expect(picker).toBeHidden();
  await expect(iconButton).toHaveText('🚀');
  await expect(iconButton).toBeFocused();
  await expect(saveStatus(page)).toHaveText('Saved on this device');

  await page.reload();
  await expect(page.getByRole('button', { name: 'Page icon' })).toHaveText('🚀');
  await expect(page.getByLabel('Page details')).toHaveText(/^Created .+ · Edited (just now|1 min ago) · 5 words$/);
  await page.getByRole('button', { name: 'Page icon' }).click();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Choose a page icon' })).toBeHidden();
  await page.getByRole('button', { name: 'Page icon' }).click();
  await page.getByRole('dialog', { name: 'Choose a page icon' }).getByRole('button', { name: 'Remove icon' }).click();
  await expect(page.getByRole('button', { name: 'Page icon' })).not.toHaveText('🚀');
});

test('undo and redo touch only this tab\'s own changes, in both tabs', async ({ page, context }) => {
  await page.goto('/');
  await createSpace(page, 'Undo');
  await newPage(page, 'Shared');
  await page.keyboard.type('Notes:');
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await page.reload(); // a fresh undo history: the setup is not A's to undo
  const contentA = pageContent(page);
  await expect(contentA).toHaveText('Notes:');

  const other = await context.newPage();
  const problems: string[] = [];
  other.on('pageerror', (e) => problems.push(e.message));
  other.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await other.goto(page.url());
  const contentB = pageContent(other);
  await expect(contentB).toHaveText('Notes:');

  await contentA.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' alpha');
  await expect(contentB).toHaveText('Notes: alpha');
  await contentB.click();
  await other.keyboard.press('End');
  await other.keyboard.type(' beta');
  await expect(contentA).toHaveText('Notes: alpha beta');

  await page.keyboard.press('Control+z');
  await expect(contentA).toHaveText('Notes: beta');
  await expect(contentB).toHaveText('Notes: beta');
  await page.keyboard.press('Control+Shift+z');
  await expect(contentA).toHaveText('Notes: alpha beta');
  await expect(contentB).toHaveText('Notes: alpha beta');
  await page.keyboard.press('Control+z');
  await expect(contentB).toHaveText('Notes: beta');
  await page.keyboard.press('Control+y');
  await expect(contentB).toHaveText('Notes: alpha beta');

  // B's undo takes back B's words only.
  await other.keyboard.press('Control+z');
  await expect(contentA).toHaveText('Notes: alpha');
  await expect(contentB).toHaveText('Notes: alpha');
  await expect(saveStatus(page)).toHaveText('Saved on this device');
  await expect(saveStatus(other)).toHaveText('Saved on this device');
  await other.close();
  await page.reload();
  await expect(pageContent(page)).toHaveText('Notes: alpha');
  expect(problems).toEqual([]);
});
