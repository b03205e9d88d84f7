import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where screenshots go: kept as CI artifacts, ignored by git. */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export interface Browser {
  page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  problems: string[];
  screenshot(name: string, viewport: keyof typeof VIEWPORTS): Promise<string>;
  close(): Promise<void>;
}

/**
 * openBrowser launches Debian's Chromium (headless, no network chatter, fresh profile) and one page that
 * records every console error, uncaught page error and failed request, and accepts confirm() dialogs.
 */
export async function openBrowser(o: { ignoreHTTPSErrors?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'sy-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // A gateway with a throw-away certificate (the OAuth2 pass-through and web-UI tests run on https).
    ignoreHTTPSErrors: o.ignoreHTTPSErrors ?? false,
    viewport: VIEWPORTS.desktop,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('dialog', (d) => void d.accept());
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page,
    problems,
    async screenshot(name, viewport) {
      await page.setViewportSize(VIEWPORTS[viewport]);
      const { width, height } = VIEWPORTS[viewport];
      const path = join(ARTIFACTS, `console-${name}-${width}x${height}.png`);
      await page.screenshot({ path, fullPage: true });
      await page.setViewportSize(VIEWPORTS.desktop);
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
