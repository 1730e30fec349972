// A real browser for tests of the admin page: the machine's Chromium (Debian's
// `chromium` package, which `.ci/run` installs), driven by playwright-core, so
// no browser is ever downloaded. Headless, with a laptop's screen size, in
// Portuguese and São Paulo's time zone like the ERP's operators.
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Where Debian puts its Chromium; REATIVA_TEST_CHROMIUM names another build. */
export const CHROMIUM = process.env.REATIVA_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** A common laptop screen: the page must be usable at this size. */
export const LAPTOP = { width: 1366, height: 768 };

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (bash .ci/run installs it), or set REATIVA_TEST_CHROMIUM`);
  }
  // Chromium's sandbox refuses to run as root (CI containers): only then is it turned off.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 60_000 });
}

export function laptopContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: LAPTOP, locale: 'pt-BR', timezoneId: 'America/Sao_Paulo' });
}
