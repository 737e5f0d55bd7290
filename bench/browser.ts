/** Headless Debian Chromium with the e2e suite's launch arguments, and the bench page's handle. */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { chromiumPath } from '../scripts/chromium-path.mjs';
import type { BenchApi } from './page/main.ts';
import config from '../playwright.config.ts';

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: config.use?.launchOptions?.args ?? [] });
}

/** A context whose pages run without the service worker (all figures but the cold start). */
export function plainContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 800 } });
}

/** Opens the bench page and waits for `window.bench`. */
export async function openBenchPage(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/bench/`);
  await page.waitForFunction(() => (globalThis as { bench?: { ready: boolean } }).bench?.ready === true);
  return page;
}

/** Calls one function of the bench page with JSON arguments; `path` is e.g. 'baselines.rawIndexedDb'. */
export async function callBench<T>(page: Page, path: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ({ path, args }) => {
      let fn: unknown = (globalThis as { bench?: unknown }).bench;
      let self: unknown = null;
      for (const key of path.split('.')) [self, fn] = [fn, (fn as Record<string, unknown>)[key]];
      return (fn as (...a: unknown[]) => unknown).apply(self, args);
    },
    { path, args },
  ) as Promise<T>;
}

export type { BenchApi };
