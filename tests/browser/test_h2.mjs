// kiln-edge's HTTP/2 in Debian's headless Chromium (issue 13): kiln-edge on
// a TLS listener with the test certificates (the test CA trusted through an
// NSS database in $HOME, as test_https.mjs does: no certificate flag), ALPN
// offering h2 first, --early-hints on. Checked from inside the browser:
// every resource of site-example arrives over h2 (nextHopProtocol); the 103
// Early Hints arrives before the page (firstInterimResponseStart; what it
// says is read with node's own h2 client) and Chromium preloads from it
// (initiatorType "early-hints"); a page of 40 assets loads over one
// connection (CDP connectionId: over HTTP/1.1 it takes six); the service
// worker fetches over h2, controls the page and serves it offline; kiln-edge
// then stops cleanly. Chromium resolves only localhost and 127.0.0.1.
// Prints TAP. Environment: KILN_BUILD, KILN_EDGE, CHROMIUM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, freePort, runTap, assert, until, terminate, ROOT, KILN_BUILD, KILN_EDGE,
  CHROMIUM, run, nssTrust,
} from './tap.mjs';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-h2-'));
const CERTS = path.join(TMP, 'certs');
const HOME = path.join(TMP, 'home');
const ASSETS = 40; /* the many-assets page: images, stylesheets, scripts */
/* Chromium's own background requests (update checks, time, accounts) fail
 * at once instead of leaving the machine. */
const LOCAL_ONLY = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/* ---- servers ---------------------------------------------------------------- */

const edges = [];
/* kiln-edge serving release over TLS only; resolves its https origin. */
async function startEdge(release) {
  const port = await freePort();
  const p = spawn(KILN_EDGE, ['--allow-root', 'on', '-w', '1', '--listen', 'off', '--listen-tls', `127.0.0.1:${port}`,
    '--tls-cert', path.join(CERTS, 'ecdsa.crt'), '--tls-key', path.join(CERTS, 'ecdsa.key'),
    '--http2', 'on', '--early-hints', 'on', release],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  edges.push(p);
  await until(() => new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  }), 'kiln-edge to listen');
  return `https://localhost:${port}`;
}

/* A page with ASSETS subresources of its own origin, each a distinct file:
 * SVG images, stylesheets and classic scripts, each of which leaves a mark
 * the page can count. */
function manySite(dir) {
  const files = {};
  const imgs = [];
  const css = [];
  const js = [];
  for (let i = 0; i < ASSETS; i++) {
    if (i % 4 < 2) {
      files[`img/i${i}.svg`] = '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">' +
        `<rect width="16" height="16" fill="#${(0x100000 + i * 0x3a51f).toString(16).slice(-6)}"/></svg>\n`;
      imgs.push(`<img src="img/i${i}.svg" width="16" height="16" alt="">`);
    } else if (i % 4 === 2) {
      files[`css/s${i}.css`] = `.c${i} { outline: ${i % 7}px solid #${(i * 91).toString(16).padStart(3, '0').slice(-3)} }\n`;
      css.push(`<link rel="stylesheet" href="css/s${i}.css">`);
    } else {
      files[`js/j${i}.js`] = `window.__scripts = (window.__scripts || 0) + 1; /* ${i} */\n`;
      js.push(`<script src="js/j${i}.js" defer></script>`);
    }
  }
  files['index.html'] = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Many assets</title>
${css.join('\n')}
${js.join('\n')}
</head>
<body>
<h1>Many assets</h1>
<p>${imgs.join('\n')}</p>
</body>
</html>
`;
  for (const [p, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), body);
  }
  return { images: imgs.length, sheets: css.length, scripts: js.length };
}

/* ---- the browser ---------------------------------------------------------------- */

let browser = null;

/* Loads url in a fresh context (empty cache) and records what the browser
 * saw: the navigation and resource timing entries, and from CDP each
 * response's protocol and connection. The context stays open for the
 * caller, who closes it. */
async function load(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const seen = { context, page, responses: [], failed: [], errors: [] };
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('requestfailed', (r) => seen.failed.push(`${r.url()} ${r.failure().errorText}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.responseReceived', (e) => seen.responses.push({
    url: e.response.url, protocol: e.response.protocol,
    connection: e.response.connectionId, cached: !!e.response.fromDiskCache,
  }));
  const resp = await page.goto(url, { waitUntil: 'load' });
  seen.status = resp && resp.status();
  await page.waitForLoadState('networkidle');
  const timing = await page.evaluate(() => ({
    nav: performance.getEntriesByType('navigation')[0].toJSON(),
    resources: performance.getEntriesByType('resource').map((r) => ({
      name: r.name, initiatorType: r.initiatorType, nextHopProtocol: r.nextHopProtocol,
    })),
  }));
  Object.assign(seen, timing);
  await cdp.detach().catch(() => {});
  return seen;
}

/* The interim and final heads of a GET of url over h2 (node's client, ALPN,
 * the test CA): { early: [headers of each 1xx], status }. */
function h2Heads(url) {
  return new Promise((resolve, reject) => {
    /* To 127.0.0.1 where kiln-edge listens: node 18 tries "localhost" as ::1
     * first where /etc/hosts says so, and does not fall back. */
    const u = new URL(url);
    const session = http2.connect(`https://127.0.0.1:${u.port}`,
      { ca: fs.readFileSync(path.join(CERTS, 'ca.crt')), servername: u.hostname });
    session.on('error', reject);
    const early = [];
    const req = session.request({ ':path': u.pathname, ':authority': u.host });
    req.on('headers', (h) => early.push(h));
    req.on('response', (h) => {
      req.resume();
      req.on('end', () => { session.close(); resolve({ early, status: h[':status'], alpn: session.alpnProtocol }); });
    });
    req.on('error', reject);
    req.setTimeout(10000, () => {
      session.destroy();
      reject(new Error(`GET ${url} over h2: no answer in 10 s`));
    });
  });
}

/* A Link header value as [{url, params: {name: value}}]. */
function parseLink(value) {
  const out = [];
  for (const part of (value || '').split(/,\s*(?=<)/)) {
    const m = part.match(/^\s*<([^>]*)>(.*)$/);
    if (!m) continue;
    const params = {};
    for (const p of m[2].split(';').map((x) => x.trim()).filter(Boolean)) {
      const eq = p.indexOf('=');
      params[(eq < 0 ? p : p.slice(0, eq)).toLowerCase()] = eq < 0 ? '' : p.slice(eq + 1).replace(/^"|"$/g, '');
    }
    out.push({ url: m[1], params });
  }
  return out;
}
/* The Link parameters Chromium's Early Hints parser knows
 * (services/network/public/cpp/link_header_parser.cc, and integrity, which
 * Chromium 156 takes); a hint with any other parameter is dropped whole. */
const EARLY_HINTS_PARAMS = new Set(['rel', 'as', 'crossorigin', 'type', 'fetchpriority', 'integrity']);

/* ---- the checks ------------------------------------------------------------------ */

let example = null; /* { origin, preload: the manifest's list for /index.html } */
let many = null; /* { origin, counts } */
let first = null; /* load() of site-example's / */

test('site-example over HTTPS: the page and every resource arrive over h2, nothing fails', async () => {
  first = await load(`${example.origin}/`);
  await first.context.close();
  const { nav, resources, responses } = first;
  assert(first.status === 200, `status ${first.status}`);
  assert(nav.nextHopProtocol === 'h2', `navigation over ${JSON.stringify(nav.nextHopProtocol)}`);
  assert(resources.length >= 10, `only ${resources.length} resource entries`);
  const notH2 = resources.filter((r) => r.nextHopProtocol !== 'h2');
  assert(notH2.length === 0, `not over h2: ${notH2.map((r) => `${r.name} ${JSON.stringify(r.nextHopProtocol)}`).join(', ')}`);
  const https = responses.filter((r) => r.url.startsWith(example.origin));
  const badCdp = https.filter((r) => r.protocol !== 'h2');
  assert(badCdp.length === 0, `CDP protocol: ${badCdp.map((r) => `${r.url} ${r.protocol}`).join(', ')}`);
  assert(first.failed.length === 0, `failed requests: ${first.failed.join(', ')}`);
  assert(first.errors.length === 0, `console errors: ${first.errors.join(' | ')}`);
  const conns = new Set(https.map((r) => r.connection));
  console.log(`# site-example: ${resources.length} resources over h2, ${https.length} responses on ` +
    `${conns.size} connection(s) (site.webmanifest goes without credentials, so on its own)`);
});

let earlyLink = '';
test('the 103 Early Hints arrives before the page, with the manifest\'s preloads for /index.html', async () => {
  const { nav } = first;
  assert(nav.firstInterimResponseStart > 0, `firstInterimResponseStart ${nav.firstInterimResponseStart}`);
  assert(nav.firstInterimResponseStart <= nav.finalResponseHeadersStart,
    `103 at ${nav.firstInterimResponseStart}, final head at ${nav.finalResponseHeadersStart}`);
  /* What the 103 says, read by an h2 client of our own. */
  const h = await h2Heads(`${example.origin}/`);
  assert(h.alpn === 'h2' && h.status === 200, `ALPN ${h.alpn}, status ${h.status}`);
  assert(h.early.length === 1 && h.early[0][':status'] === 103,
    `interim responses: ${JSON.stringify(h.early.map((e) => e[':status']))}`);
  const link = earlyLink = h.early[0].link || '';
  const hinted = parseLink(link).map((k) => new URL(k.url, example.origin).pathname).sort();
  const wanted = example.preload.map((p) => p.url).sort();
  assert(JSON.stringify(hinted) === JSON.stringify(wanted),
    `103 hints ${hinted.join(', ')}; the manifest's preload: ${wanted.join(', ')}`);
  console.log(`# 103 at ${nav.firstInterimResponseStart.toFixed(1)} ms, final head at ` +
    `${nav.finalResponseHeadersStart.toFixed(1)} ms: ${hinted.length} hints`);
});

test('Chromium preloads from the 103: a hinted URL shows initiatorType "early-hints"', async () => {
  const wanted = new Set(example.preload.map((p) => new URL(p.url, example.origin).href));
  /* kiln-edge sends the 103 and the 200 in one write (the page is in memory):
   * Chromium uses the hints when it starts their preloads before it commits
   * the navigation, which a loaded machine can lose by a fraction of a
   * millisecond. Up to four more fresh visits; hints it cannot parse fail
   * every one. */
  let page = first;
  for (let i = 0; i < 4 && !page.resources.some((r) => r.initiatorType === 'early-hints'); i++) {
    console.log(`# visit ${i + 1}: no early-hints entry (103 at ${page.nav.firstInterimResponseStart
      .toFixed(1)} ms, final head at ${page.nav.finalResponseHeadersStart.toFixed(1)} ms); again`);
    page = await load(`${example.origin}/`);
    await page.context.close();
  }
  const used = page.resources.filter((r) => r.initiatorType === 'early-hints');
  const hintedSeen = page.resources.filter((r) => wanted.has(r.name));
  console.log(`# hinted URLs as the page saw them: ${hintedSeen.map((r) =>
    `${r.name.split('/').pop()} ${r.initiatorType}`).join(', ')}`);
  const stray = used.filter((r) => !wanted.has(r.name));
  assert(stray.length === 0, `early-hints entries that were not hinted: ${stray.map((r) => r.name)}`);
  if (used.length === 0) {
    /* Say why, when the 103 has what Chromium refuses. */
    const unknown = [...new Set(parseLink(earlyLink).flatMap((k) => Object.keys(k.params))
      .filter((n) => !EARLY_HINTS_PARAMS.has(n)))];
    throw new Error('no resource entry with initiatorType "early-hints"' + (unknown.length
      ? `; the 103's Link carries parameters Chromium's Early Hints parser does not know, ` +
        `so it drops every hint that has one: ${unknown.join(', ')}` : ''));
  }
});

test(`a page of ${ASSETS} assets loads over one h2 connection (CDP connectionId)`, async () => {
  const seen = await load(`${many.origin}/`);
  try {
    const state = await seen.page.evaluate(() => ({
      images: [...document.images].filter((i) => i.complete && i.naturalWidth > 0).length,
      sheets: [...document.styleSheets].filter((s) => s.cssRules.length > 0).length,
      scripts: window.__scripts || 0,
    }));
    assert(state.images === many.counts.images && state.sheets === many.counts.sheets &&
      state.scripts === many.counts.scripts,
    `loaded ${JSON.stringify(state)}, the page has ${JSON.stringify(many.counts)}`);
    const mine = seen.responses.filter((r) => r.url.startsWith(many.origin));
    assert(mine.length >= ASSETS + 1, `${mine.length} responses for the page and its ${ASSETS} assets`);
    assert(mine.every((r) => !r.cached), 'a response came from the disk cache');
    const notH2 = mine.filter((r) => r.protocol !== 'h2');
    assert(notH2.length === 0, `not over h2: ${notH2.map((r) => `${r.url} ${r.protocol}`).join(', ')}`);
    const conns = new Map();
    for (const r of mine) conns.set(r.connection, (conns.get(r.connection) || 0) + 1);
    assert(conns.size === 1, `${conns.size} connections: ${JSON.stringify([...conns])}`);
    assert(seen.failed.length === 0, `failed requests: ${seen.failed.join(', ')}`);
    console.log(`# ${mine.length} responses, all on connection ${[...conns.keys()][0]}`);
  } finally {
    await seen.context.close();
  }
});

test('the service worker over h2: registers, controls the page after a reload, serves it offline', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    await page.goto(`${example.origin}/`);
    const scope = await page.evaluate(() => Promise.race([
      navigator.serviceWorker.ready.then((r) => r.active && r.scope),
      new Promise((r) => setTimeout(() => r(null), 15000))]));
    assert(scope === `${example.origin}/`, `service worker: ${scope}`);
    await page.reload();
    const controller = await page.evaluate(() =>
      navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL);
    assert(controller === `${example.origin}/sw.js`, `controller: ${controller}`);
    /* The worker's own fetches (sw.js's precache) went over h2 too. */
    const sw = await until(() => context.serviceWorkers()[0], 'the service worker target');
    const fetched = await sw.evaluate(() => performance.getEntriesByType('resource')
      .map((r) => ({ name: r.name, nextHopProtocol: r.nextHopProtocol })));
    const fromNet = fetched.filter((r) => r.nextHopProtocol !== '');
    assert(fromNet.length > 0, 'the worker fetched nothing from the network');
    const notH2 = fromNet.filter((r) => r.nextHopProtocol !== 'h2');
    assert(notH2.length === 0, `worker fetches not over h2: ${notH2.map((r) => `${r.name} ${r.nextHopProtocol}`)}`);
    await context.setOffline(true);
    await page.reload();
    const title = await page.title();
    assert(title.includes('Kiln Bakery'), `title offline: ${title}`);
    const styled = await page.evaluate(() =>
      [...document.styleSheets].some((s) => s.href && s.cssRules.length > 0));
    assert(styled, 'no stylesheet offline');
    await page.goto(`${example.origin}/about.html`);
    assert((await page.title()).startsWith('About'), `about.html offline: ${await page.title()}`);
    console.log(`# the worker fetched ${fromNet.length} URLs over h2; offline, / and /about.html rendered`);
  } finally {
    await context.close();
  }
});

test('both kiln-edges stop cleanly on SIGTERM after the h2 traffic (no sanitizer report)', async () => {
  if (browser) await browser.close();
  browser = null;
  const codes = [];
  for (const e of edges) {
    await terminate(e);
    codes.push(e.exitCode === null ? e.signalCode : e.exitCode);
  }
  assert(codes.every((c) => c === 0), `exit statuses: ${codes.join(', ')}`);
});

/* ---- main ------------------------------------------------------------------------ */

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  for (const e of edges) await terminate(e);
  fs.rmSync(TMP, { recursive: true, force: true });
}

async function main() {
  /* Bounded: a hang anywhere ends the run as a failure, with the servers stopped. */
  const watchdog = setTimeout(async () => {
    console.log('not ok - test_h2 took over 240 s');
    await cleanup();
    process.exit(1);
  }, 240000);
  const failed = await runTap(tests, async () => {
    run('sh', [path.join(ROOT, 'tests/tls/make-test-certs.sh'), CERTS]);
    const rel = path.join(TMP, 'site-example');
    run(KILN_BUILD, ['-q', '--no-cache', '-o', rel, path.join(ROOT, 'site-example')]);
    const manifest = JSON.parse(fs.readFileSync(path.join(rel, 'kiln-manifest.json'), 'utf8'));
    const preload = manifest.files['/index.html'].preload || [];
    assert(preload.length > 0, 'site-example\'s /index.html has no preloads in its manifest');
    example = { origin: await startEdge(rel), preload };
    const src = path.join(TMP, 'many-src');
    const counts = manySite(src);
    const manyRel = path.join(TMP, 'many');
    run(KILN_BUILD, ['-q', '--no-cache', '--no-sw', '--no-bundle', '-o', manyRel, src]);
    many = { origin: await startEdge(manyRel), counts };
    nssTrust(HOME, path.join(CERTS, 'ca.crt')); /* Chromium reads $HOME's NSS database */
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, LOCAL_ONLY],
      env: { ...process.env, HOME } });
    console.log(`# ${browser.version()}`);
  });
  clearTimeout(watchdog);
  await cleanup();
  process.exit(failed ? 1 : 0);
}

main();
