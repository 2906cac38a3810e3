#!/usr/bin/env node
// Screenshots of admin pages for the docs (not a test): logs in as the stack's admin and
// saves one PNG per argument. Used for docs/img/admin-*.png (docs/admin.md says how):
//   set -a; . var/stack.env; set +a
//   node tests/browser/screenshots.js OUT_DIR name=/wp-admin/tools.php?page=witsper \
//     name2=/wp-admin/site-health.php#witsper_native_parser
// "#test_id" after a Site Health path waits for its tests, opens that test's result and
// shoots the region around it instead of the whole page.
'use strict';

const path = require('path');
const puppeteer = require('puppeteer-core');

const BASE = process.env.WITSPER_URL.replace(/\/$/, '');
const [outDir, ...shots] = process.argv.slice(2);

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.BROWSER_CHROMIUM || '/usr/lib/chromium/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--lang=en-US'],
    defaultViewport: { width: 1280, height: 900 },
  });
  const page = await browser.newPage();
  await page.goto(`${BASE}/wp-login.php`, { waitUntil: 'networkidle2' });
  await page.type('#user_login', process.env.WITSPER_ADMIN_USER || 'admin');
  await page.type('#user_pass', process.env.WITSPER_ADMIN_PASSWORD);
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle2' }), page.click('#wp-submit')]);
  for (const arg of shots) {
    const [name, target] = arg.split(/=(.*)/s);
    const [urlPath, testId] = target.split('#');
    await page.goto(BASE + urlPath, { waitUntil: 'networkidle2', timeout: 90000 });
    const file = path.join(outDir, `${name}.png`);
    if (!testId) {
      await page.screenshot({ path: file, fullPage: true });
    } else {
      await page.waitForFunction(() => window.SiteHealth && SiteHealth.site_status.async.every((t) => t.completed)
        && !document.querySelector('.site-health-progress-wrapper.loading'), { timeout: 90000 });
      const box = await page.evaluate((id) => {
        const block = document.getElementById(`health-check-accordion-block-${id}`);
        const passed = document.querySelector('.site-health-view-passed');
        if (block.closest('#health-check-issues-good') && passed) passed.click();
        document.querySelector(`[aria-controls="health-check-accordion-block-${id}"]`).click();
        const list = block.closest('.health-check-accordion');
        const r = list.getBoundingClientRect();
        const h = list.parentElement.querySelector('h3') || list;
        const top = h.getBoundingClientRect().top + window.scrollY - 10;
        return { x: r.left - 10, y: top, width: r.width + 20, height: r.bottom + window.scrollY - top + 10 };
      }, testId);
      await new Promise((r) => setTimeout(r, 600));
      await page.screenshot({ path: file, clip: box, captureBeyondViewport: true });
    }
    console.log(file);
  }
  const logout = await page.$eval('#wp-admin-bar-logout a', (a) => a.href).catch(() => '');
  if (logout) await page.goto(logout, { waitUntil: 'networkidle2' });
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
