// Renders the PNG icons of the web app manifest from public/icon.svg and public/icon-maskable.svg with
// Debian's Chromium (no image tooling needed). Run after changing an SVG: node scripts/render-icons.mjs
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chromiumPath } from './chromium-path.mjs';

/** Sizes Chromium's installability check and launchers ask for. */
const ICONS = [
  { svg: 'public/icon.svg', size: 192, out: 'public/icon-192.png' },
  { svg: 'public/icon.svg', size: 512, out: 'public/icon-512.png' },
  { svg: 'public/icon-maskable.svg', size: 512, out: 'public/icon-maskable-512.png' },
];

const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
for (const { svg, size, out } of ICONS) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  const data = Buffer.from(readFileSync(svg)).toString('base64');
  await page.setContent(`<html><body style="margin:0"><img src="data:image/svg+xml;base64,${data}" width="${size}" height="${size}"></body></html>`);
  await page.screenshot({ path: out, omitBackground: true });
  await page.close();
  console.log(`${out} (${size}x${size})`);
}
await browser.close();
