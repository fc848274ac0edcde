// A real browser for the dashboard's tests: Debian's Chromium (hack/dashboard/install-deps.sh, or
// $DYNOKUBE_CHROMIUM) driven by playwright-core, and the steps its pages take. Screenshots go to
// .artifacts/dashboard/.
import { afterAll, beforeAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { eventually } from './operator.js';

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

/** Signs in at the dashboard `base` with a Kubernetes token, naming `namespace`, until `app` is listed. */
export async function signIn(ctx: BrowserContext, base: string, token: string, namespace: string, app: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('Kubernetes token').fill(token);
  await page.getByLabel('Namespace').fill(namespace);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator(`tr[data-app="${app}"]`).waitFor();
  return page;
}

/** Opens a page of the dashboard (`#/apps/...`) and waits until it has drawn. */
export async function open(page: Page, base: string, hash: string): Promise<void> {
  await page.goto(`${base}/${hash}`);
  await page.locator(`main[data-ready="${hash}"]`).waitFor();
}

/** Waits until the element's text holds `text` (pages fill in as their data and events arrive). */
export async function shows(loc: Locator, text: string, timeoutMs?: number): Promise<void> {
  await eventually(`text ${JSON.stringify(text)}`, async () => ((await loc.first().textContent({ timeout: 2000 })) ?? '').includes(text) || undefined, timeoutMs);
}

export async function counts(loc: Locator, ok: (n: number) => boolean): Promise<void> {
  await eventually('element count', async () => ok(await loc.count()) || undefined);
}
