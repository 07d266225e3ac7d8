// kiln-edge's Link preloads (and 103 Early Hints) in Debian's headless
// Chromium: they must copy the page's own <link rel=preload|modulepreload>
// tags, integrity and crossorigin included, so that the browser uses each
// preload for the page's own request. Two releases: site-example, and a page
// shaped as VitePress writes it (rel="preload stylesheet", modulepreloads, a
// stylesheet naming many fonts of which the page preloads one). Each page is
// loaded with a fresh cache from kiln-edge with Link and 103 on, and from
// kiln-edge with Link off: no console warning about a preload, every URL
// fetched once, no byte more. Prints TAP, with the figures as comments.
// Environment: KILN_BUILD, KILN_EDGE, CHROMIUM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, freePort, runTap, assert, terminate, ROOT, KILN_BUILD, KILN_EDGE, CHROMIUM, run,
} from './tap.mjs';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-preload-'));

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/* ---- a page shaped as VitePress 1.6 writes it ----------------------------- */

/* Fourteen fonts in the stylesheet, each for its own unicode-range, as
 * VitePress's Inter: a page in English uses the latin one, and preloads it. */
const SCRIPTS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext',
  'vietnamese'];
const RANGES = {
  latin: 'U+0000-00FF', 'latin-ext': 'U+0100-024F', cyrillic: 'U+0400-045F',
  'cyrillic-ext': 'U+0460-052F', greek: 'U+0370-03FF', 'greek-ext': 'U+1F00-1FFF',
  vietnamese: 'U+0102-0103',
};
function vitepressSite(dir) {
  const font = fs.readFileSync(path.join(ROOT, 'site-example/fonts/dejavu-serif-bold.woff2'));
  const files = {};
  let faces = '';
  for (const style of ['roman', 'italic'])
    for (const s of SCRIPTS) {
      const name = `inter-${style}-${s}.woff2`;
      files[`assets/${name}`] = font;
      faces += `@font-face{font-family:Inter;font-style:${style === 'roman' ? 'normal' : 'italic'};` +
        `src:url(./${name}) format("woff2");unicode-range:${RANGES[s]}}\n`;
    }
  files['assets/style.css'] = `${faces}body{font-family:Inter,sans-serif;color:#213547}\n`;
  files['assets/chunks/framework.js'] = 'export const h = (t) => document.createTextNode(t);\n';
  files['assets/chunks/theme.js'] =
    "import { h } from './framework.js';\nexport const mount = (el) => el.append(h('mounted'));\n";
  files['assets/chunks/util.js'] = 'export const twice = (x) => x + x;\n';
  files['assets/app.js'] = "import { mount } from './chunks/theme.js';\n" +
    "import { twice } from './chunks/util.js';\n" +
    "mount(document.getElementById('app'));\ndocument.title = twice('ok');\n";
  files['assets/later.js'] = 'export default 1;\n';
  files['index.html'] = `<!DOCTYPE html>
<html lang="en-US">
<head>
  <meta charset="utf-8">
  <title>Guide</title>
  <link rel="preload stylesheet" href="/assets/style.css" as="style">
  <script type="module" src="/assets/app.js"></script>
  <link rel="modulepreload" href="/assets/chunks/theme.js">
  <link rel="modulepreload" href="/assets/chunks/framework.js">
  <link rel="preload" href="/assets/inter-roman-latin.woff2" as="font" type="font/woff2" crossorigin="">
  <link rel="prefetch" href="/assets/later.js">
</head>
<body><div id="app"><p>Hello, world.</p></div></body>
</html>
`;
  for (const [p, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), body);
  }
}

/* ---- servers ---------------------------------------------------------------- */

const edges = [];
async function startEdge(release, extra) {
  const port = await freePort();
  const p = spawn(KILN_EDGE, ['--allow-root', 'on', '-w', '1', '--listen', `127.0.0.1:${port}`, ...extra, release],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  edges.push(p);
  const end = Date.now() + 15000;
  for (;;) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up) return `http://127.0.0.1:${port}`;
    if (Date.now() > end) throw new Error('kiln-edge did not listen');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/* The interim (103) and final heads of one GET, read by node's client. */
function heads(url) {
  return new Promise((resolve, reject) => {
    const early = [];
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve({ early, link: res.headers.link || '', status: res.statusCode }));
    });
    req.on('information', (info) => early.push(info));
    req.on('error', reject);
  });
}

/* One Link value parsed: [{url, rel, as, integrity, crossorigin, type}]. */
function parseLink(value) {
  const out = [];
  for (const part of value.split(/,\s*(?=<)/)) {
    const m = part.match(/^\s*<([^>]*)>(.*)$/);
    if (!m) continue;
    const o = { url: m[1] };
    for (const p of m[2].split(';').map((x) => x.trim()).filter(Boolean)) {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      o[k] = eq < 0 ? '' : p.slice(eq + 1).replace(/^"|"$/g, '');
    }
    out.push(o);
  }
  return out;
}

/* ---- loading a page --------------------------------------------------------- */

let browser = null;
/* Loads url in a fresh context (empty cache, no service worker, which would
 * fetch for its precache), until the network is idle. */
async function load(url) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const console_ = [];
  const requests = [];
  page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on('request', (r) => requests.push(r));
  await page.goto(url, { waitUntil: 'networkidle' });
  /* Chromium reports an unused preload 3 s after load. */
  await page.waitForTimeout(3500);
  const tags = await page.$$eval('link', (ls) => ls
    .filter((l) => /(^|\s)(preload|modulepreload)(\s|$)/i.test(l.rel))
    .map((l) => ({
      url: l.href, rel: l.relList.contains('modulepreload') ? 'modulepreload' : 'preload',
      as: l.relList.contains('modulepreload') ? 'script' : l.as,
      integrity: l.integrity || undefined, crossorigin: l.getAttribute('crossorigin'),
      type: l.type || undefined,
    })));
  const count = {}; /* path -> requests */
  let bytes = 0;
  let headBytes = 0;
  let docBytes = 0;
  for (const r of requests) {
    const u = new URL(r.url());
    count[u.pathname + u.search] = (count[u.pathname + u.search] || 0) + 1;
    const s = await r.sizes().catch(() => null);
    /* The document's own count includes the Link header and the 103
     * (Chromium adds the interim response to its body size). */
    if (s && r.isNavigationRequest()) docBytes += s.responseHeadersSize + s.responseBodySize;
    else if (s) {
      bytes += s.responseBodySize;
      headBytes += s.responseHeadersSize;
    }
  }
  await context.close();
  return { console: console_, count, bytes, headBytes, docBytes, n: requests.length, tags };
}

/* ---- the cases -------------------------------------------------------------- */

const PAGES = { 'site-example': ['/', '/about.html', '/docs/guide.html'], vitepress: ['/'] };
const origin = {}; /* site -> { hints, plain } */
const seen = {}; /* `${site}${page}` -> { hints: load(), plain: load() } */

test('each page\'s Link header copies its own preload and modulepreload tags, integrity and crossorigin included', async () => {
  for (const [site, pages] of Object.entries(PAGES))
    for (const p of pages) {
      const base = origin[site].hints;
      const h = await heads(base + p);
      assert(h.status === 200, `${site}${p}: status ${h.status}`);
      const hints = parseLink(h.link);
      const res = seen[`${site}${p}`] = {
        hints: await load(base + p), plain: await load(origin[site].plain + p),
      };
      res.hinted = hints.map((k) => new URL(k.url, base).pathname);
      const tags = res.hints.tags;
      for (const k of hints) {
        const url = new URL(k.url, base).href;
        const t = tags.find((x) => x.url === url);
        assert(t, `${site}${p}: ${k.url} is hinted but the page has no preload tag for it`);
        assert(k.rel === t.rel && k.as === t.as, `${site}${p}: ${k.url}: ${JSON.stringify(k)} vs ${JSON.stringify(t)}`);
        assert(k.integrity === t.integrity, `${site}${p}: ${k.url}: integrity ${k.integrity} vs the tag's ${t.integrity}`);
        const cors = (v) => (v === undefined || v === null ? null : v === 'use-credentials' ? v : 'anonymous');
        assert(cors(k.crossorigin) === cors(t.crossorigin),
          `${site}${p}: ${k.url}: crossorigin ${k.crossorigin} vs the tag's ${t.crossorigin}`);
      }
      /* 103 Early Hints repeat the final Link header. */
      assert(h.early.length === 1 && h.early[0].statusCode === 103,
        `${site}${p}: interim responses ${JSON.stringify(h.early.map((e) => e.statusCode))}`);
      assert(h.early[0].headers.link === h.link, `${site}${p}: the 103's Link differs`);
      console.log(`# ${site}${p}: ${hints.length} hints: ${hints.map((k) => `${k.rel}/${k.as} ${k.url.split('/').pop()}`).join(', ')}`);
    }
});

test('Chromium logs no warning about a preload (integrity, credentials, unused)', async () => {
  for (const [key, res] of Object.entries(seen)) {
    const bad = res.hints.console.filter((m) => /preload|integrity/i.test(m));
    assert(bad.length === 0, `${key}: ${bad.join(' | ')}`);
  }
});

test('every hinted URL is requested once, and no URL more often than without Link headers', async () => {
  for (const [key, res] of Object.entries(seen)) {
    for (const url of res.hinted) {
      const n = res.hints.count[url] || 0;
      assert(n === 1, `${key}: ${url} requested ${n} times`);
    }
    /* (Chromium asks for an SVG favicon twice, with or without hints.) */
    const more = Object.entries(res.hints.count).filter(([u, n]) => n > (res.plain.count[u] || 0));
    assert(more.length === 0, `${key}: requested more often with Link headers: ${JSON.stringify(more)}`);
  }
});

test('no more requests and no more bytes of assets than the same page served without Link headers', async () => {
  for (const [key, res] of Object.entries(seen)) {
    const fig = (r) => `${r.n} requests, the page ${r.docBytes} bytes, then ${r.bytes} body bytes ` +
      `(+${r.headBytes} in heads)`;
    console.log(`# ${key}: with Link + 103: ${fig(res.hints)}; without: ${fig(res.plain)}`);
    assert(res.hints.n === res.plain.n, `${key}: ${res.hints.n} requests against ${res.plain.n}`);
    assert(res.hints.bytes <= res.plain.bytes,
      `${key}: ${res.hints.bytes} body bytes against ${res.plain.bytes}`);
  }
});

test('a stylesheet\'s fonts and a module\'s imports are preloaded only where the page asks', async () => {
  const h = parseLink((await heads(`${origin.vitepress.hints}/`)).link);
  const names = h.map((k) => k.url.replace(/^.*\//, '').replace(/\.[0-9a-f]{10}\./, '.'));
  assert(JSON.stringify(names.sort()) === JSON.stringify(
    ['framework.js', 'inter-roman-latin.woff2', 'style.css', 'theme.js']),
  `hinted: ${names.join(', ')}`);
  const res = seen['vitepress/'];
  const fonts = Object.keys(res.hints.count).filter((u) => u.endsWith('.woff2'));
  assert(fonts.length === 1, `fonts fetched: ${fonts.join(', ')}`);
  const css = h.find((k) => k.as === 'style');
  assert(css.integrity && css.crossorigin === '', `the stylesheet hint: ${JSON.stringify(css)}`);
});

async function main() {
  const failed = await runTap(tests, async () => {
    const example = path.join(TMP, 'site-example');
    run(KILN_BUILD, ['-q', '--no-cache', '-o', example, path.join(ROOT, 'site-example')]);
    const vpSrc = path.join(TMP, 'vitepress-src');
    vitepressSite(vpSrc);
    const vp = path.join(TMP, 'vitepress');
    /* Without the bundler, as for a site a bundler already built (the
     * modulepreloads stay as VitePress wrote them). */
    run(KILN_BUILD, ['-q', '--no-cache', '--no-sw', '--no-bundle', '-o', vp, vpSrc]);
    for (const [site, rel] of [['site-example', example], ['vitepress', vp]])
      origin[site] = {
        hints: await startEdge(rel, ['--link-preload', 'on', '--early-hints', 'on']),
        plain: await startEdge(rel, ['--link-preload', 'off', '--early-hints', 'off']),
      };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  if (browser) await browser.close().catch(() => {});
  for (const e of edges) await terminate(e);
  fs.rmSync(TMP, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
