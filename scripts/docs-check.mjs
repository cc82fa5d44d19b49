#!/usr/bin/env node
// Checks the built API site (docs/site, from `npm run docs`) in a real browser: headless Chromium
// driven by playwright-core, the site served over HTTP on 127.0.0.1 so links behave as on a web host.
//
// - the front page and the FaceMatcher class page render, with their titles, and the front page
//   links to every guide (docs/*.md, rendered under documents/);
// - every page reachable from the front page is visited (up to MAX_PAGES), and every same-origin
//   link on it resolves with HTTP 200; a link with a #fragment must find that id on its target page;
// - no console errors, uncaught page errors, failed requests or HTTP errors on any page visited;
// - no table or code block on a page is wider than its column unless it scrolls within it;
// - every SVG picture in docs/ (the benchmark charts) is laid out cleanly: no <text> leaves its
//   viewBox and no two <text> boxes overlap (scripts/svg-layout.mjs); the check is first run on a
//   deliberately broken chart, and must find its problems, so it cannot pass by checking nothing;
// - a screenshot of the front page is saved to docs/site/screenshot.png.
//
// Prints a summary and exits 1 on any failure, 2 when it cannot run at all (no site, no browser).
// Usage: node scripts/docs-check.mjs      (CHROMIUM_PATH overrides /usr/bin/chromium)
import { existsSync } from 'node:fs';
import { brokenChartSvg, svgLayoutProblems } from './svg-layout.mjs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const docsDir = path.join(root, 'docs');
const siteDir = path.join(docsDir, 'site');
const screenshotFile = path.join(siteDir, 'screenshot.png');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MAX_PAGES = 1000;
const TABS = 3;
const NAV_TIMEOUT_MS = 30_000;

/** Pages that must exist and render, with the title and heading they must show. */
const REQUIRED_PAGES = [
  { path: '/index.html', title: /^facematch$/, heading: /^facematch$/ },
  { path: '/classes/FaceMatcher.html', title: /^FaceMatcher \| facematch$/, heading: /^Class FaceMatcher$/ },
];

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** @returns {never} */
function fail(message) {
  console.error(`docs:check: ${message}`);
  process.exit(2);
}

/** Serves `dir` read-only; a folder serves its index.html; anything outside `dir` is a 404. */
function serve(dir) {
  /** @type {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>} */
  const handle = async (req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let file;
    try {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      file = path.join(dir, path.normalize(pathname));
      if (file !== dir && !file.startsWith(dir + path.sep)) return send(404, 'not found');
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      return send(200, body, CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    } catch {
      return send(404, 'not found');
    }
  };
  // A failure while answering (the client went away) ends that response, not the check.
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The page a URL shows: no fragment, and a folder URL as its index.html. */
function pageKey(url) {
  const u = new URL(url);
  u.hash = '';
  u.search = '';
  if (u.pathname.endsWith('/')) u.pathname += 'index.html';
  return u.href;
}

const isHtml = (url) => new URL(url).pathname.endsWith('.html');

/** Every SVG under docs/ (not the built site): the benchmark charts and the icons. */
async function chartFiles() {
  const found = [];
  for (const dir of [docsDir, path.join(docsDir, 'images')]) {
    if (!existsSync(dir)) continue;
    for (const f of (await readdir(dir)).sort()) if (f.endsWith('.svg')) found.push(path.join(dir, f));
  }
  return found;
}

async function main() {
  if (!existsSync(path.join(siteDir, 'index.html'))) fail(`no site at ${path.relative(root, siteDir)}: run "npm run docs" first`);
  if (!existsSync(chromiumPath)) fail(`no Chromium at ${chromiumPath}: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    fail('playwright-core is not installed: run "npm ci"');
  }

  const server = await serve(siteDir);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = await mkdtemp(path.join(tmpdir(), 'facematch-docs-check-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
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

  const errors = [];
  const pages = new Map(); // page key -> { ids, title, heading, hrefs } once visited
  const failures = new Map(); // page key -> why it did not load
  const links = new Map(); // absolute link URL (with fragment) -> first page it was found on
  const queue = [];
  const queued = new Set();
  const assets = new Map(); // non-HTML same-origin link target -> HTTP status
  let external = 0;
  let overflow = false;
  let charts = 0;

  const enqueue = (url) => {
    const key = pageKey(url);
    if (queued.has(key)) return;
    if (queued.size >= MAX_PAGES) {
      overflow = true;
      return;
    }
    queued.add(key);
    queue.push(key);
  };

  // Chromium sometimes asks for /favicon.ico on its own, even when the page declares an icon (a
  // race in its favicon code when a tab moves on quickly). That probe is the browser's, not a link
  // of the site: it is ignored, and instead every page must declare an icon that loads (below).
  const faviconProbe = `${origin}/favicon.ico`;

  async function visit(tab, url) {
    const where = url.slice(origin.length);
    const problems = [];
    const onConsole = (msg) => {
      const source = msg.location()?.url ?? '';
      if (msg.type() === 'error' && source !== faviconProbe) problems.push(`console error: ${msg.text()}${source ? ` (${source})` : ''}`);
    };
    const onPageError = (err) => problems.push(`uncaught error: ${err.message}`);
    const onRequestFailed = (req) => {
      if (req.url() !== faviconProbe) problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`);
    };
    const onResponse = (res) => {
      if (res.status() >= 400 && res.url() !== faviconProbe) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    };
    tab.on('console', onConsole);
    tab.on('pageerror', onPageError);
    tab.on('requestfailed', onRequestFailed);
    tab.on('response', onResponse);
    try {
      const response = await tab.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
      if (!response || response.status() !== 200) {
        // Reported once, where the page is linked from (or required), not again for its own load.
        failures.set(url, `HTTP ${response?.status() ?? 'no response'}`);
        problems.length = 0;
        return;
      }
      await tab.waitForLoadState('networkidle', { timeout: NAV_TIMEOUT_MS });
      const info = await tab.evaluate(() => ({
        title: document.title,
        heading: document.querySelector('.tsd-page-title h1, h1')?.textContent?.trim() ?? '',
        ids: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || e.getAttribute('name')),
        hrefs: [...document.querySelectorAll('a[href]')].map((a) => /** @type {HTMLAnchorElement} */ (a).href),
        icon: /** @type {HTMLLinkElement | null} */ (document.querySelector('link[rel~="icon"]'))?.href ?? '',
        // Tables and code blocks wider than their text column (a scrolling one stays inside it).
        overflows: [...document.querySelectorAll('.tsd-typography table, .tsd-typography pre')].flatMap((el) => {
          const column = el.parentElement?.closest('.tsd-typography, .col-content');
          if (!column) return [];
          const right = el.getBoundingClientRect().right;
          const limit = column.getBoundingClientRect().right;
          return right > limit + 1 ? [`${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)}…" is ${Math.round(right - limit)} px wider than its column`] : [];
        }),
      }));
      for (const o of info.overflows) problems.push(o);
      if (!info.title.trim()) problems.push('the page has no title');
      if (!info.heading) problems.push('the page has no heading');
      if (!info.icon) problems.push('the page declares no icon (<link rel="icon">)');
      else if (!links.has(info.icon)) links.set(info.icon, where);
      pages.set(url, { ids: new Set(info.ids), title: info.title, heading: info.heading, hrefs: info.hrefs });
      for (const href of info.hrefs) {
        if (!/^https?:/.test(href)) continue;
        if (new URL(href).origin !== origin) {
          external++;
          continue;
        }
        if (!links.has(href)) links.set(href, where);
        if (isHtml(pageKey(href))) enqueue(href);
      }
    } catch (err) {
      failures.set(url, `could not load: ${String(/** @type {Error} */ (err).message).split('\n')[0]}`);
    } finally {
      tab.off('console', onConsole);
      tab.off('pageerror', onPageError);
      tab.off('requestfailed', onRequestFailed);
      tab.off('response', onResponse);
      for (const p of problems) errors.push(`${where}: ${p}`);
    }
  }

  try {
    const tabs = [context.pages()[0] ?? (await context.newPage())];
    while (tabs.length < TABS) tabs.push(await context.newPage());
    // The front page first, alone, for the screenshot.
    enqueue(`${origin}/index.html`);
    for (const required of REQUIRED_PAGES) enqueue(`${origin}${required.path}`);
    const firstTab = tabs[0];
    const front = queue.shift();
    if (firstTab === undefined || front === undefined) fail('could not open a browser tab');
    await visit(firstTab, front);
    await firstTab.screenshot({ path: screenshotFile });

    await Promise.all(
      tabs.map(async (tab) => {
        for (let url = queue.shift(); url !== undefined; url = queue.shift()) await visit(tab, url);
      }),
    );

    // Every guide (typedoc's documents/ folder) must be linked from the front page.
    const frontLinks = new Set((pages.get(`${origin}/index.html`)?.hrefs ?? []).map(pageKey));
    const guides = existsSync(path.join(siteDir, 'documents')) ? await readdir(path.join(siteDir, 'documents')) : [];
    if (guides.length === 0) errors.push('no guides: docs/site/documents/ is empty (check projectDocuments in typedoc.json)');
    for (const guide of guides.filter((f) => f.endsWith('.html'))) {
      if (!frontLinks.has(`${origin}/documents/${guide}`)) errors.push(`/index.html: does not link to the guide documents/${guide}`);
    }

    for (const required of REQUIRED_PAGES) {
      const page = pages.get(`${origin}${required.path}`);
      if (!page) {
        errors.push(`${required.path}: required page did not render (${failures.get(`${origin}${required.path}`) ?? 'not visited'})`);
        continue;
      }
      if (!required.title.test(page.title)) errors.push(`${required.path}: title "${page.title}" does not match ${required.title}`);
      if (!required.heading.test(page.heading)) errors.push(`${required.path}: heading "${page.heading}" does not match ${required.heading}`);
    }

    for (const [href, foundOn] of links) {
      const key = pageKey(href);
      const fragment = decodeURIComponent(new URL(href).hash.slice(1));
      if (isHtml(key)) {
        const target = pages.get(key);
        if (!target) {
          if (failures.has(key)) errors.push(`${foundOn}: link ${href.slice(origin.length)}: ${failures.get(key)}`);
          continue; // not visited: the page bound was reached, reported below
        }
        if (fragment && !target.ids.has(fragment)) errors.push(`${foundOn}: link ${href.slice(origin.length)}: no element with id "${fragment}"`);
      } else if (!assets.has(key)) {
        const res = await fetch(key, { method: 'GET' });
        await res.arrayBuffer();
        assets.set(key, res.status);
        if (res.status !== 200) errors.push(`${foundOn}: link ${key.slice(origin.length)} answered HTTP ${res.status}`);
      }
    }
    if (overflow) errors.push(`more than ${MAX_PAGES} pages are reachable: raise MAX_PAGES in scripts/docs-check.mjs`);

    // The charts: first prove the check finds the problems of a deliberately broken one.
    const chartTab = firstTab;
    const selfTest = await svgLayoutProblems(chartTab, brokenChartSvg());
    if (selfTest.length < 3) errors.push(`the SVG layout check found ${selfTest.length} of the 3 problems of a deliberately broken chart: ${selfTest.join('; ')}`);
    for (const file of await chartFiles()) {
      charts++;
      for (const p of await svgLayoutProblems(chartTab, await readFile(file, 'utf8'))) errors.push(`${path.relative(root, file)}: ${p}`);
    }
  } finally {
    await context.close();
    await new Promise((resolve) => {
      server.close(resolve);
    });
    await rm(profile, { recursive: true, force: true });
  }

  console.log(`docs:check: ${pages.size} pages checked, ${links.size} internal links checked (${assets.size} non-HTML targets), ${external} external links not followed`);
  console.log(`docs:check: ${charts} SVG pictures in docs/ checked for text leaving the picture or overlapping (and the check caught a broken one)`);
  console.log(`docs:check: screenshot of the front page: ${path.relative(root, screenshotFile)}`);
  if (errors.length > 0) {
    console.log(`docs:check: ${errors.length} error(s):`);
    for (const e of errors.slice(0, 100)) console.log(`  - ${e}`);
    if (errors.length > 100) console.log(`  … and ${errors.length - 100} more`);
    process.exitCode = 1;
  } else {
    console.log('docs:check: 0 errors');
  }
}

await main();
