#!/usr/bin/env node
// The WordPress admin and the block editor in a real browser: Debian's chromium, driven by
// puppeteer-core (which downloads no browser). Run by tests/browser/run.sh, which reads the
// stack from var/stack.env and turns the lines below into the shared harness's counts:
//   CHECK <PASS|FAIL> <what>      one check
//   INFO <text>                   context, not counted
//   DONE                          the script reached its end (missing = a failure)
//
// Every page: no JavaScript error (uncaught exception or console error), no same-origin
// response >= 400, no failed same-origin request; a full-page screenshot is kept in
// $BROWSER_OUT. Off-site requests cannot leave this machine (chromium resolves nothing but
// 127.0.0.1); the ones WordPress makes by design (avatars, emoji, w.org) are ignored by
// host name and listed, any other off-site request is a failure.
'use strict';

const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? process.env[k] : d);
const BASE = env('WITSPER_URL').replace(/\/$/, '');
const USER = env('WITSPER_ADMIN_USER', 'admin');
const PASSWORD = env('WITSPER_ADMIN_PASSWORD');
const OUT = env('BROWSER_OUT');
const CHROMIUM = env('BROWSER_CHROMIUM', '/usr/lib/chromium/chromium');
const NETWORK = env('BROWSER_NETWORK', '') === '1'; // multisite: network admin pages too
const SWITCH_HEADER = 'X-Witsper-Load-Plugin'; // tests/load/witsper-load-plugin-switch.php
const TIMEOUT = 90000;
const origin = new URL(BASE).origin;

// Hosts WordPress contacts by design and which have no route from here. By name only.
const IGNORED_HOSTS = new Set([
  'secure.gravatar.com', '0.gravatar.com', '1.gravatar.com', '2.gravatar.com',
  's.w.org', 'api.wordpress.org', 'wordpress.org',
]);

let failed = 0;
const check = (ok, what) => {
  if (!ok) failed++;
  console.log(`CHECK ${ok ? 'PASS' : 'FAIL'} ${what}`);
  return ok;
};
const info = (t) => console.log(`INFO ${t}`);

// ---- per-page problem collection -----------------------------------------------------------
let problems = []; // what went wrong since the last mark()
const ignored = new Map(); // host -> count
function hostOf(u) { try { return new URL(u).host; } catch (e) { return ''; } }
function isSameOrigin(u) { try { return new URL(u).origin === origin; } catch (e) { return false; } }
function isIgnored(u) { return IGNORED_HOSTS.has(hostOf(u)); }
function noteIgnored(u) { const h = hostOf(u); ignored.set(h, (ignored.get(h) || 0) + 1); }

function watch(page) {
  page.on('dialog', (d) => { info(`dialog: ${d.message()}`); d.accept().catch(() => {}); });
  page.on('pageerror', (err) => problems.push(`JavaScript error: ${String(err && err.message || err).split('\n')[0]}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = (msg.location() && msg.location().url) || '';
    if (loc && !isSameOrigin(loc) && isIgnored(loc)) { noteIgnored(loc); return; }
    problems.push(`console error: ${msg.text().slice(0, 300)}${loc ? ` (${loc})` : ''}`);
  });
  page.on('response', (res) => {
    const u = res.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (isSameOrigin(u)) {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} ${res.request().method()} ${u}`);
    } else if (!isIgnored(u)) {
      problems.push(`off-site request to ${u} (HTTP ${res.status()})`);
    } else noteIgnored(u);
  });
  page.on('requestfailed', (req) => {
    const u = req.url();
    const why = (req.failure() && req.failure().errorText) || 'failed';
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (isSameOrigin(u)) {
      // A navigation or fetch the page itself cancelled (e.g. leaving the page) is not an error.
      if (why === 'net::ERR_ABORTED') { info(`aborted by the page: ${req.method()} ${u}`); return; }
      problems.push(`request failed: ${req.method()} ${u} (${why})`);
    } else if (isIgnored(u)) noteIgnored(u);
    else problems.push(`off-site request to ${u} (${why})`);
  });
}

// The page's own problems since the last call, as one check.
function clean(what) {
  const p = problems;
  problems = [];
  if (!check(p.length === 0, `${what}: no JavaScript error, no same-origin response >= 400`)) {
    for (const line of p.slice(0, 12)) info(`  ${line}`);
    if (p.length > 12) info(`  ... and ${p.length - 12} more`);
  }
}

let shot = 0;
async function screenshot(page, name) {
  shot++;
  const file = path.join(OUT, `${String(shot).padStart(2, '0')}-${name}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true });
    info(`screenshot ${file}`);
  } catch (e) {
    check(false, `screenshot ${name} (${e.message})`);
  }
}

async function visit(page, urlPath, name) {
  const res = await page.goto(BASE + urlPath, { waitUntil: 'networkidle2', timeout: TIMEOUT });
  check(res && res.status() === 200, `${name}: ${urlPath} answers 200 (got ${res ? res.status() : 'nothing'})`);
  return res;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the pages ---------------------------------------------------------------------------------
async function login(page) {
  await page.goto(`${BASE}/wp-login.php`, { waitUntil: 'networkidle2', timeout: TIMEOUT });
  await page.type('#user_login', USER);
  await page.type('#user_pass', PASSWORD);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'networkidle2', timeout: TIMEOUT }),
    page.click('#wp-submit'),
  ]);
  const url = page.url();
  check(url.includes('/wp-admin/'), `log in as ${USER} through wp-login.php (now at ${url})`);
  return url.includes('/wp-admin/');
}

async function dashboard(page, urlPath, label) {
  await visit(page, urlPath, label);
  const js = await page.evaluate(() => ({
    underscore: typeof window._ === 'function' && typeof window._.each === 'function',
    template: !!(window.wp && typeof window.wp.template === 'function'),
    title: document.querySelector('.wrap h1') ? document.querySelector('.wrap h1').textContent.trim() : '',
  }));
  check(js.underscore, `${label}: underscore (_) is loaded`);
  check(js.template, `${label}: wp.template is a function`);
  check(js.title !== '', `${label}: page has a title ("${js.title}")`);
  await screenshot(page, label.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  clean(label);
}

async function siteHealth(page, urlPath, label) {
  await visit(page, urlPath, label);
  let done = true;
  try {
    await page.waitForFunction(
      () => window.SiteHealth && window.SiteHealth.site_status
        && Array.isArray(window.SiteHealth.site_status.async)
        && window.SiteHealth.site_status.async.every((t) => t.completed)
        && !document.querySelector('.site-health-progress-wrapper.loading'),
      { timeout: TIMEOUT, polling: 500 },
    );
  } catch (e) { done = false; }
  const st = await page.evaluate(() => {
    const asyncTests = ((window.SiteHealth && window.SiteHealth.site_status.async) || []);
    const ids = [...document.querySelectorAll('[id^="health-check-accordion-block-"]')]
      .map((el) => el.id.replace('health-check-accordion-block-', ''));
    const label = document.querySelector('.site-health-progress-label');
    const witsper = {};
    for (const id of ids.filter((i) => i.startsWith('witsper_'))) {
      const block = document.getElementById(`health-check-accordion-block-${id}`);
      const button = block && block.previousElementSibling ? block.previousElementSibling.querySelector('.title') : null;
      const list = block ? block.closest('.health-check-accordion') : null;
      witsper[id] = { title: button ? button.textContent.trim() : '', list: list ? list.parentElement.id : '' };
    }
    return {
      async: asyncTests.map((t) => `${String(t.test).replace(/^.*\/tests\//, '')}:${t.completed ? 'done' : 'pending'}`),
      ids,
      progress: label ? label.textContent.trim() : '',
      witsper,
    };
  });
  check(done && st.async.length > 0,
    `${label}: every async test finished (${st.async.join(', ') || 'no async test list'}; progress "${st.progress}")`);
  check(!/still loading/i.test(st.progress), `${label}: not stuck at "Results are still loading" ("${st.progress}")`);
  const expected = ['witsper_ffi_available', 'witsper_ffi_mode', 'witsper_library', 'witsper_native_parser', 'witsper_selftest', 'witsper_image_editor'];
  const missing = expected.filter((id) => !st.ids.includes(id));
  check(missing.length === 0, `${label}: the plugin's 6 tests are listed${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`);
  for (const id of Object.keys(st.witsper)) info(`  ${id}: ${st.witsper[id].title}`);
  await screenshot(page, label.toLowerCase().replace(/[^a-z0-9]+/g, '-'));

  // Open the plugin's native-parsing result (under "Passed tests" when it is good): its
  // description is the Witsper page's first line, word for word.
  const opened = await page.evaluate(() => {
    const id = 'health-check-accordion-block-witsper_native_parser';
    const block = document.getElementById(id);
    if (!block) return '';
    const passed = document.querySelector('.site-health-view-passed');
    if (block.closest('#health-check-issues-good') && passed && passed.getAttribute('aria-expanded') !== 'true') passed.click();
    const button = document.querySelector(`[aria-controls="${id}"]`);
    if (button && button.getAttribute('aria-expanded') !== 'true') button.click();
    return block.textContent.replace(/\s+/g, ' ').trim();
  });
  witsperLine.siteHealth = opened;
  check(/Native block parsing is (on|off)/.test(opened), `${label}: the plugin's result reads "${opened.slice(0, 120)}"`);
  await sleep(500);
  const shFile = await page.evaluate(() => {
    const el = document.getElementById('health-check-accordion-block-witsper_native_parser');
    // Full-page screenshots need the page at the top (fixed menus are drawn where scrolled).
    window.scrollTo(0, 0);
    return !!el;
  });
  if (shFile) await screenshot(page, `${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-witsper`);
  clean(label);
}

const witsperLine = { siteHealth: '', page: '' };

async function witsperPage(page, urlPath, label) {
  await visit(page, urlPath, label);
  const s = await page.evaluate(() => {
    const q = (sel) => document.querySelector(sel);
    return {
      h1: q('.wrap h1') ? q('.wrap h1').textContent.trim() : '',
      state: q('.witsper-state') ? q('.witsper-state').getAttribute('data-state') : '',
      headline: q('.witsper-state') ? q('.witsper-state').textContent.trim().replace(/\s+/g, ' ') : '',
      line: q('.witsper-state p strong') ? q('.witsper-state p strong').textContent.trim() : '',
      details: document.querySelectorAll('.witsper-details tr').length,
      docs: document.querySelectorAll('.witsper-selftest tbody tr').length,
      button: !!q('#witsper-run-selftest'),
      notice: !!q('.witsper-notice'),
    };
  });
  check(s.h1 === 'Witsper', `${label}: title "Witsper" (got "${s.h1}")`);
  if (witsperLine.siteHealth) {
    check(s.line !== '' && witsperLine.siteHealth.includes(s.line),
      `${label}: Site Health shows the same line as this page ("${s.line.slice(0, 80)}...")`);
  }
  check(s.state === 'on', `${label}: the first line says native parsing is on ("${s.headline}")`);
  check(s.details >= 5, `${label}: details table in plain words (${s.details} rows)`);
  check(s.docs >= 1, `${label}: self-test result per document (${s.docs} documents)`);
  check(!s.notice, `${label}: no fallback notice while native parsing is on`);
  await screenshot(page, label.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  clean(label);
  if (!check(s.button, `${label}: "Run the self-test again" button`)) return;
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'networkidle2', timeout: TIMEOUT }),
    page.click('#witsper-run-selftest'),
  ]);
  const after = await page.evaluate(() => {
    const n = document.querySelector('.witsper-selftest-ran');
    return { url: location.href, notice: n ? n.textContent.trim().replace(/\s+/g, ' ') : '' };
  });
  check(after.url.includes('page=witsper') && /self-test/i.test(after.notice),
    `${label}: the button re-runs the self-test and comes back with its result ("${after.notice}")`);
  clean(`${label} after the self-test button`);
}

async function plugins(page, urlPath, label, network) {
  await visit(page, urlPath, label);
  const row = await page.evaluate(() => {
    const tr = document.querySelector('tr[data-slug="witsper-ffi"]');
    return tr ? { active: tr.classList.contains('active'), text: tr.textContent.replace(/\s+/g, ' ').slice(0, 200) } : null;
  });
  check(row && row.active, `${label}: witsper-ffi is listed and ${network ? 'network ' : ''}active`);
  await screenshot(page, label.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  clean(label);
}

let welcomeGuideWasOn = false;

// Create a post in the block editor, publish it, and return its id and permalink.
async function editor(page) {
  const label = 'Block editor';
  await visit(page, '/wp-admin/post-new.php', label);
  await page.waitForFunction(() => window.wp && wp.data && wp.data.select('core/editor')
    && wp.data.select('core/block-editor'), { timeout: TIMEOUT });
  // The welcome guide is a modal on the first visit: switch it off for the test (the user's
  // preference; cleanup() switches it back on).
  welcomeGuideWasOn = await page.evaluate(() => {
    const ep = wp.data.select('core/edit-post');
    if (ep && ep.isFeatureActive && ep.isFeatureActive('welcomeGuide')) {
      wp.data.dispatch('core/edit-post').toggleFeature('welcomeGuide');
      return true;
    }
    return false;
  });
  await sleep(300);
  const title = `Witsper browser test ${new Date().toISOString()}`;
  // Typed: the title, then Enter moves into a first paragraph block.
  await page.waitForSelector('.editor-post-title__input, .wp-block-post-title', { timeout: TIMEOUT });
  await page.click('.editor-post-title__input, .wp-block-post-title');
  await page.keyboard.type(title);
  await page.keyboard.press('Enter');
  await page.keyboard.type('A paragraph typed in the block editor, with <b>markup</b> & an ampersand.');
  // The other blocks through the editor's own data API, as the inserter does.
  await page.evaluate(() => {
    const { createBlock } = wp.blocks;
    wp.data.dispatch('core/block-editor').insertBlocks([
      createBlock('core/heading', { level: 2, content: 'A heading from the browser test' }),
      createBlock('core/list', {}, [
        createBlock('core/list-item', { content: 'first item' }),
        createBlock('core/list-item', { content: 'second <em>item</em>' }),
      ]),
      createBlock('core/quote', { citation: 'the suite' }, [
        createBlock('core/paragraph', { content: 'Quoted text.' }),
      ]),
      createBlock('core/columns', {}, [
        createBlock('core/column', {}, [createBlock('core/paragraph', { content: 'Left column' })]),
        createBlock('core/column', {}, [createBlock('core/paragraph', { content: 'Right column' })]),
      ]),
      createBlock('core/separator'),
      createBlock('core/buttons', {}, [createBlock('core/button', { text: 'A button', url: '#' })]),
    ]);
  });
  const count = await page.evaluate(() => wp.data.select('core/block-editor').getBlocks().length);
  check(count >= 7, `${label}: the post has ${count} top-level blocks (typed paragraph + 6 inserted)`);
  await screenshot(page, 'block-editor');

  // Publish through the buttons: "Publish" opens the pre-publish panel, whose "Publish" confirms.
  await page.click('.editor-post-publish-panel__toggle');
  await page.waitForSelector('.editor-post-publish-panel .editor-post-publish-button', { timeout: TIMEOUT });
  await page.click('.editor-post-publish-panel .editor-post-publish-button');
  let published = true;
  try {
    await page.waitForFunction(() => wp.data.select('core/editor').isCurrentPostPublished()
      && !wp.data.select('core/editor').isSavingPost(), { timeout: TIMEOUT, polling: 250 });
  } catch (e) { published = false; }
  const post = await page.evaluate(() => ({
    id: wp.data.select('core/editor').getCurrentPostId(),
    link: wp.data.select('core/editor').getPermalink(),
    content: wp.data.select('core/editor').getEditedPostContent(),
  }));
  check(published && post.id > 0, `${label}: published post ${post.id} (${post.link})`);
  await screenshot(page, 'block-editor-published');
  clean(label);
  return post;
}

// The post on the front end, with the plugin and without it (the must-use switch unloads
// witsper-ffi for requests carrying the header): the same bytes.
async function frontEnd(page, post) {
  const label = 'Front end';
  const res = await page.goto(post.link, { waitUntil: 'networkidle2', timeout: TIMEOUT });
  check(res && res.status() === 200, `${label}: ${post.link} answers 200`);
  const on = res ? await res.text() : '';
  const rendered = await page.evaluate(() => {
    // The post's own content only: the block theme's templates have columns and buttons too.
    const root = document.querySelector('.wp-block-post-content, .entry-content');
    const q = (s) => (root ? root.querySelectorAll(s).length : -1);
    return { h2: q('h2'), li: q('li'), columns: q('.wp-block-columns'), quote: q('blockquote.wp-block-quote'), buttons: q('.wp-block-button'), separator: q('hr.wp-block-separator') };
  });
  check(rendered.h2 >= 1 && rendered.li >= 2 && rendered.columns === 1 && rendered.quote === 1 && rendered.buttons === 1 && rendered.separator === 1,
    `${label}: the blocks are rendered (${JSON.stringify(rendered)})`);
  await screenshot(page, 'front-end');
  clean(label);

  // The health route exists only while the plugin is loaded: proves the switch works here.
  const hOn = await fetch(`${BASE}/wp-json/witsper/v1/health`).then((r) => r.json()).catch(() => ({}));
  check(hOn.native_parser_active === true, `${label}: the native parser renders the plugin-on side (health: native_parser_active ${hOn.native_parser_active})`);
  const hOff = await fetch(`${BASE}/wp-json/witsper/v1/health`, { headers: { [SWITCH_HEADER]: 'off' } });
  check(hOff.status === 404, `${label}: with ${SWITCH_HEADER}: off the plugin is not loaded (health route ${hOff.status}, expected 404)`);

  // Logged in, in the browser: the page with the plugin off.
  await page.setExtraHTTPHeaders({ [SWITCH_HEADER]: 'off' });
  const resOff = await page.goto(post.link, { waitUntil: 'networkidle2', timeout: TIMEOUT });
  await page.setExtraHTTPHeaders({});
  const off = resOff ? await resOff.text() : '';
  clean(`${label} with the plugin off`);
  sameBytes(on, off, `${label}: the page as the admin sees it, plugin on = plugin off (${on.length} bytes)`);

  // Anonymous visitor (no cookies): same comparison.
  const anonOn = await fetch(post.link).then((r) => r.text());
  const anonOff = await fetch(post.link, { headers: { [SWITCH_HEADER]: 'off' } }).then((r) => r.text());
  sameBytes(anonOn, anonOff, `${label}: the page as a visitor sees it, plugin on = plugin off (${anonOn.length} bytes)`);
  check(anonOn.includes('A heading from the browser test') && anonOn.includes('Right column'),
    `${label}: the visitor's page has the post's blocks`);
}

// Media → Add New, as a person uploads: WordPress's drag-and-drop uploader (plupload, through
// async-upload.php) with a phone photo (EXIF orientation 6), a 50x50 PNG and a truncated JPEG.
// The photo and the PNG become attachments whose thumbnail the browser shows; the broken
// file is refused in the uploader with the plugin's message. Each attachment's edit page
// shows the image; the attachments are deleted at the end.
async function mediaUpload(page) {
  const dir = env('BROWSER_MEDIA_DIR', '');
  const files = ['orientation/Landscape_6.jpg', 'dimensions/tiny_50x50.png', 'corrupt/truncated-50pct_baseline.jpg']
    .map((f) => path.join(dir, f));
  const missing = files.filter((f) => !fs.existsSync(f));
  if (!check(dir !== '' && missing.length === 0, `media upload: the corpus files are there (${missing.join(', ') || dir})`)) return [];
  await visit(page, '/wp-admin/media-new.php', 'Media Add New');
  const input = await page.waitForSelector('#plupload-upload-ui input[type=file]', { timeout: TIMEOUT });
  await input.uploadFile(...files);
  await page.waitForFunction((n) => {
    const items = document.querySelectorAll('#media-items .media-item');
    return items.length >= n && [...items].every((i) => i.querySelector('.edit-attachment, .error-div'));
  }, { timeout: TIMEOUT, polling: 250 }, files.length);
  await page.waitForNetworkIdle({ idleTime: 500, timeout: TIMEOUT }).catch(() => {});
  const items = await page.evaluate(() => [...document.querySelectorAll('#media-items .media-item')].map((i) => {
    const img = i.querySelector('img.pinkynail');
    const edit = i.querySelector('a.edit-attachment');
    const err = i.querySelector('.error-div');
    return {
      text: i.innerText.replace(/\s+/g, ' ').trim(),
      edit: edit && edit.href ? String(edit.href) : '',
      img: img ? img.src : '',
      shown: img ? img.complete && img.naturalWidth > 0 : false,
      error: err ? err.innerText.replace(/\s+/g, ' ').trim() : '',
    };
  }));
  for (const i of items) info(`  uploader item: ${JSON.stringify(i).slice(0, 400)}`);
  const find = (name) => items.find((i) => i.text.includes(name)) || {};
  const photo = find('Landscape_6');
  const tiny = find('tiny_50x50');
  const bad = find('truncated-50pct_baseline');
  check(!!photo.edit && photo.shown && /-\d+x\d+\.jpg/.test(photo.img),
    `media upload: the 2.2 MP EXIF-6 photo is an attachment and the uploader shows its thumbnail (${photo.img || photo.text || 'no item'})`);
  check(!!tiny.edit && tiny.shown, `media upload: the 50x50 PNG is an attachment and shown (${tiny.img || tiny.text || 'no item'})`);
  check(bad.error.includes('is not a usable image'),
    `media upload: the truncated JPEG is refused in the uploader with the plugin's message (${bad.error || bad.text || 'no item'})`);
  await screenshot(page, 'media-upload');
  clean('Media Add New');
  const ids = [photo, tiny].map((i) => (String(i.edit || '').match(/post=(\d+)/) || [])[1]).filter(Boolean);
  if (photo.edit) {
    await page.goto(photo.edit, { waitUntil: 'networkidle2', timeout: TIMEOUT });
    const shown = await page.evaluate(() => {
      const img = document.querySelector('.wp_attachment_image img');
      return img ? { ok: img.complete && img.naturalWidth > 0, w: img.naturalWidth, h: img.naturalHeight, src: img.src } : null;
    });
    // EXIF 6: stored 1200x1800, a landscape 1800x1200 once turned as the camera says.
    check(shown && shown.ok && shown.w > shown.h,
      `media upload: the attachment's edit page shows the photo upright (${shown ? `${shown.w}x${shown.h} ${shown.src}` : 'no image'})`);
    await screenshot(page, 'media-attachment');
    clean('Edit Media');
  }
  return ids;
}

async function deleteAttachments(page, ids) {
  for (const id of ids) {
    try {
      await page.goto(`${BASE}/wp-admin/post.php?post=${id}&action=edit`, { waitUntil: 'networkidle2', timeout: TIMEOUT });
      const href = await page.evaluate(() => {
        const a = document.querySelector('#delete-action a.submitdelete');
        return a ? a.href : '';
      });
      if (href) await page.goto(href, { waitUntil: 'networkidle2', timeout: TIMEOUT });
      const gone = await page.goto(`${BASE}/wp-admin/post.php?post=${id}&action=edit`, { waitUntil: 'domcontentloaded', timeout: TIMEOUT });
      check(gone && gone.status() !== 200 || !(await page.$('#delete-action')), `clean-up: attachment ${id} deleted`);
    } catch (e) {
      check(false, `clean-up: attachment ${id} deleted (${e.message})`);
    }
  }
  problems = [];
}

function sameBytes(a, b, what) {
  if (check(a.length > 0 && a === b, what)) return;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  info(`  first difference at byte ${i}: on ${JSON.stringify(a.slice(Math.max(0, i - 60), i + 60))}`);
  info(`                              off ${JSON.stringify(b.slice(Math.max(0, i - 60), i + 60))}`);
}

async function cleanup(page, post) {
  if (!post || !(post.id > 0)) return;
  try {
    // The post's editor has wp.apiFetch (with its REST nonce): delete through the REST API.
    await page.goto(`${BASE}/wp-admin/post.php?post=${post.id}&action=edit`, { waitUntil: 'networkidle2', timeout: TIMEOUT });
    await page.waitForFunction(() => window.wp && typeof wp.apiFetch === 'function', { timeout: TIMEOUT });
    const r = await page.evaluate(async (id) => {
      try {
        await wp.apiFetch({ path: `/wp/v2/posts/${id}?force=true`, method: 'DELETE' });
        return 'deleted';
      } catch (e) { return e.message || String(e); }
    }, post.id);
    check(r === 'deleted', `clean-up: post ${post.id} deleted (${r})`);
    if (welcomeGuideWasOn) {
      // Back as it was: the editor saves preferences to the user (debounced REST request).
      const saved = page.waitForResponse((res) => res.url().includes('/wp/v2/users/me')
        && res.request().method() !== 'GET', { timeout: 20000 }).then((res) => res.status()).catch(() => 0);
      await page.evaluate(() => {
        if (!wp.data.select('core/edit-post').isFeatureActive('welcomeGuide')) {
          wp.data.dispatch('core/edit-post').toggleFeature('welcomeGuide');
        }
      });
      const status = await saved;
      check(status === 200, `clean-up: the editor's welcome guide is switched back on for ${USER} (HTTP ${status})`);
    }
  } catch (e) {
    check(false, `clean-up: post ${post.id} deleted (${e.message})`);
  }
  problems = [];
}

async function logout(page) {
  // The admin bar's "Log Out" link carries the nonce; logging out destroys this session.
  const href = await page.evaluate(() => {
    const a = document.querySelector('#wp-admin-bar-logout a');
    return a ? a.href : '';
  }).catch(() => '');
  if (!href) { check(false, 'log out (no Log Out link)'); return; }
  await page.goto(href, { waitUntil: 'networkidle2', timeout: TIMEOUT });
  check(page.url().includes('loggedout=true'), 'log out: the session is closed');
  problems = [];
}

// ---- main --------------------------------------------------------------------------------------
(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60000,
      protocolTimeout: 180000,
      // A throwaway profile; root needs --no-sandbox. Nothing leaves this machine: every
      // host name except the stack's resolves to nothing, and background services are off.
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
        '--no-default-browser-check', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-domain-reliability',
        '--no-pings', '--metrics-recording-only', '--disable-features=Translate,OptimizationHints,MediaRouter',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
        '--window-size=1280,900', '--lang=en-US',
      ],
      defaultViewport: { width: 1280, height: 900 },
    });
  } catch (e) {
    check(false, `chromium starts (${CHROMIUM}: ${e.message.split('\n')[0]})`);
    console.log('DONE');
    process.exit(1);
  }
  check(true, `chromium starts (${await browser.version()}, puppeteer-core ${require('puppeteer-core/package.json').version})`);
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  watch(page);
  let post = null;
  try {
    if (await login(page)) {
      clean('Log in');
      await dashboard(page, '/wp-admin/', 'Dashboard');
      await siteHealth(page, '/wp-admin/site-health.php', 'Site Health');
      await witsperPage(page, '/wp-admin/tools.php?page=witsper', 'Tools Witsper');
      if (NETWORK) await witsperPage(page, '/wp-admin/network/settings.php?page=witsper', 'Network Witsper');
      await plugins(page, '/wp-admin/plugins.php', 'Plugins', false);
      if (NETWORK) {
        await dashboard(page, '/wp-admin/network/', 'Network Dashboard');
        await plugins(page, '/wp-admin/network/plugins.php', 'Network Plugins', true);
        await visit(page, '/wp-admin/network/sites.php', 'Network Sites');
        await screenshot(page, 'network-sites');
        clean('Network Sites');
      }
      if (!NETWORK) {
        let ids = [];
        try {
          ids = await mediaUpload(page);
        } finally {
          await deleteAttachments(page, ids);
        }
      }
      try {
        post = await editor(page);
        if (post && post.id > 0 && post.link) await frontEnd(page, post);
      } finally {
        await cleanup(page, post);
      }
      await logout(page);
    }
  } catch (e) {
    check(false, `the browser run finished without an exception (${String(e && e.stack || e).split('\n').slice(0, 3).join(' | ')})`);
    try { await screenshot(page, 'exception'); } catch (e2) { /* already counted */ }
  }
  for (const [h, n] of ignored) info(`ignored off-site host ${h}: ${n} request(s) (no network here)`);
  await browser.close().catch(() => {});
  console.log('DONE');
  process.exit(failed ? 1 : 0);
})();
