// A real browser for the dashboard's tests: Debian's Chromium (hack/dashboard/install-deps.sh, or
// $DYNOKUBE_CHROMIUM) driven by playwright-core. Screenshots go to .artifacts/dashboard/.
import { afterAll, beforeAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', '.artifacts', 'dashboard');

function chromiumPath(): string {
  if (process.env.DYNOKUBE_CHROMIUM) return process.env.DYNOKUBE_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch {
    throw new Error('No Chromium: run hack/dashboard/install-deps.sh (Debian\'s chromium), or set DYNOKUBE_CHROMIUM');
  }
}

/** One browser for the file's tests. */
export function useBrowser(): { browser: () => Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // As root (CI containers), Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: chromiumPath(), args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return { browser: () => browser! };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
