// Browser tests of what the generated service worker answers offline with no
// option set, for the two shapes of site people build: a single-page app (a
// Vite-like dist whose only document is index.html, a lazy route whose CSS is
// named only in a JS string) and a multi-page site whose client-side router
// fetch()es the next page (as Astro's ClientRouter does). Debian's headless
// Chromium via playwright-core; kiln-edge serves each release on 127.0.0.1,
// "offline" means kiln-edge stopped and the HTTP cache cleared.
// Prints TAP; the tests of a site depend on the ones before them.
// Environment: KILN_BUILD, KILN_EDGE (the binaries), CHROMIUM (/usr/bin/chromium).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, freePort, runTap, assert, sleep, until, terminate, ROOT, KILN_BUILD, KILN_EDGE, CHROMIUM,
} from './tap.mjs';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-browser-routes-'));

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/* ---- the sites ---------------------------------------------------------------- */

function writeTree(root, files) {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/* A Vite-like SPA: the router renders from location.pathname; /about loads a
 * lazy chunk and a stylesheet named only in a string, as Vite's preload list
 * names a lazy route's CSS. No option tells kiln it is an SPA. */
const SPA = {
  'index.html': '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>spa</title>' +
    '<link rel="stylesheet" crossorigin href="/assets/index-C5d6e7f8.css">' +
    '<script type="module" crossorigin src="/assets/index-B1x2y3z4.js"></script>' +
    '</head><body><div id="root"></div></body></html>\n',
  'assets/index-B1x2y3z4.js': 'const deps = ["/assets/About-D5GR_shx.css"];\n' +
    'function css(href) {\n' +
    '  const l = document.createElement("link");\n' +
    '  l.rel = "stylesheet";\n' +
    '  l.href = href;\n' +
    '  document.head.append(l);\n' +
    '  return new Promise((ok, fail) => { l.onload = ok; l.onerror = fail; });\n' +
    '}\n' +
    'async function render() {\n' +
    '  const root = document.getElementById("root");\n' +
    '  if (location.pathname === "/about") {\n' +
    '    await css(deps[0]);\n' +
    '    const m = await import("./About-CHf2AwwH.js");\n' +
    '    root.className = "about";\n' +
    '    root.textContent = m.default();\n' +
    '  } else {\n' +
    '    root.textContent = "route " + location.pathname;\n' +
    '  }\n' +
    '  document.body.dataset.rendered = "1";\n' +
    '}\n' +
    'render().catch((e) => { document.body.dataset.rendered = "error " + e; });\n',
  'assets/About-CHf2AwwH.js': 'export default function About() { return "about route"; }\n',
  'assets/index-C5d6e7f8.css': 'body { margin: 0 }\n',
  'assets/About-D5GR_shx.css': '.about { color: rgb(85, 102, 119) }\n',
};

/* A multi-page site with directory pages; its router fetch()es a page. */
const page = (title, body) => '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  `<title>${title}</title><script type="module" src="/router.js"></script></head>` +
  `<body><main>${body}</main></body></html>\n`;
const MPA = {
  'index.html': page('home', 'home page'),
  'about/index.html': page('about', 'about page'),
  'contact.html': page('contact', 'contact page'),
  'router.js': 'export async function load(url) {\n' +
    '  const res = await fetch(url, { headers: { Accept: "text/html" } });\n' +
    '  const doc = new DOMParser().parseFromString(await res.text(), "text/html");\n' +
    '  return doc.querySelector("main").textContent;\n' +
    '}\n' +
    'window.routerLoad = load;\n',
};

function build(name, files) {
  const src = path.join(TMP, name, 'src');
  const out = path.join(TMP, name, 'dist');
  writeTree(src, files);
  const p = spawnSync(KILN_BUILD, ['-q', '--no-cache', '--encodings', 'none', '-o', out, src],
    { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`kiln-build exited ${p.status}: ${p.stderr}`);
  const sw = fs.readFileSync(path.join(out, 'sw.js'), 'utf8');
  const list = (n) => JSON.parse(sw.match(new RegExp(`^const ${n} = (.*);$`, 'm'))[1]);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'kiln-manifest.json'), 'utf8'));
  return { out, manifest, precache: list('PRECACHE'), options: list('OPTIONS') };
}

/* ---- the servers and the browser ------------------------------------------------ */

class Edge {
  constructor(release) {
    this.release = release;
    this.proc = null;
  }

  async start() {
    this.port = this.port || await freePort();
    this.proc = spawn(KILN_EDGE, ['--allow-root', 'on', '-l', `127.0.0.1:${this.port}`, '-w', '1', this.release],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    await until(() => new Promise((resolve) => {
      const c = net.connect(this.port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    }), 'kiln-edge to listen');
  }

  async stop() {
    if (!this.proc) return;
    const p = this.proc;
    this.proc = null;
    await terminate(p);
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }
}

let context = null;
let tab = null;
const edges = [];

/* Visits origin/, waits for the worker to be active, reloads so that it
 * controls the page. */
async function install(edge) {
  await tab.goto(edge.origin + '/');
  await tab.evaluate(() => navigator.serviceWorker.ready);
  await tab.reload();
  assert(await tab.evaluate(() => !!navigator.serviceWorker.controller), 'no controller');
}

/* Offline: the server stopped and the HTTP cache emptied, so only the
 * worker's caches can answer. */
async function goOffline(edge) {
  await edge.stop();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
}

/* ---- the single-page app ------------------------------------------------------------ */

let spa;
let spaEdge;

test('an SPA: the lazy route\'s chunk and the CSS named in a string are precached', async () => {
  const sources = spa.precache.map((e) => spa.manifest.files[e.url].source);
  assert(sources.includes('assets/About-D5GR_shx.css'), `precache: ${sources}`);
  assert(spa.precache.some((e) => /^\/assets\/About-.*\.js$/.test(e.url)), `precache: ${sources}`);
  assert(spa.options.navigateFallback === '/index.html',
    `navigateFallback: ${spa.options.navigateFallback}`);
  await install(spaEdge);
  const rendered = await tab.textContent('#root');
  assert(rendered === 'route /', `online: ${rendered}`);
});

test('an SPA offline: a deep URL never visited renders its route, with the lazy CSS', async () => {
  await goOffline(spaEdge);
  await tab.goto(spaEdge.origin + '/about');
  await until(() => tab.evaluate(() => document.body.dataset.rendered), 'the route to render');
  const state = await tab.evaluate(() => ({
    rendered: document.body.dataset.rendered,
    text: document.getElementById('root').textContent,
    color: getComputedStyle(document.getElementById('root')).color,
  }));
  assert(state.rendered === '1' && state.text === 'about route', JSON.stringify(state));
  assert(state.color === 'rgb(85, 102, 119)', `the lazy CSS did not apply: ${state.color}`);
  await tab.goto(spaEdge.origin + '/some/route');
  await until(() => tab.evaluate(() => document.body.dataset.rendered), 'the route to render');
  const text = await tab.textContent('#root');
  assert(text === 'route /some/route', `deep URL offline: ${text}`);
});

test('an SPA offline: a URL that looks like a file does not get the app', async () => {
  const res = await tab.goto(spaEdge.origin + '/missing.png');
  assert(res.status() === 503, `status ${res.status()}`);
  const body = await tab.textContent('body');
  assert(body.includes('You are offline') && !body.includes('route'), `got: ${body.slice(0, 200)}`);
});

/* ---- the multi-page site --------------------------------------------------------------- */

let mpa;
let mpaEdge;

test('a multi-page site gets no index.html fallback', async () => {
  assert(mpa.options.navigateFallback == null,
    `navigateFallback: ${mpa.options.navigateFallback}`);
  await install(mpaEdge);
  const online = await tab.evaluate(() => window.routerLoad('/about/'));
  assert(online === 'about page', `router fetch online: ${online}`);
});

test('offline, a router\'s fetch() of a page is answered in every URL form', async () => {
  await goOffline(mpaEdge);
  await tab.reload();
  for (const [url, want] of [['/about/', 'about page'], ['/about', 'about page'],
    ['/about/index.html', 'about page'], ['/contact', 'contact page'], ['/', 'home page']]) {
    const got = await tab.evaluate((u) => window.routerLoad(u).catch((e) => `failed: ${e}`), url);
    assert(got === want, `fetch('${url}') offline: ${got}`);
  }
  const unknown = await tab.evaluate(() => fetch('/nope/').then((r) => `status ${r.status}`,
    (e) => `rejected ${e.name}`));
  assert(unknown === 'rejected TypeError', `fetch of an unknown page offline: ${unknown}`);
});

test('a multi-page site offline: an unknown page gets the offline answer, not index.html', async () => {
  const res = await tab.goto(mpaEdge.origin + '/never/visited');
  const body = await tab.textContent('body');
  assert(res.status() === 503 && body.includes('You are offline') && !body.includes('home page'),
    `status ${res.status()}: ${body.slice(0, 200)}`);
});

/* ---- main ------------------------------------------------------------------------------ */

async function main() {
  const failed = await runTap(tests, async () => {
    spa = build('spa', SPA);
    mpa = build('mpa', MPA);
    spaEdge = new Edge(spa.out);
    mpaEdge = new Edge(mpa.out);
    edges.push(spaEdge, mpaEdge);
    await spaEdge.start();
    await mpaEdge.start();
    context = await chromium.launchPersistentContext(path.join(TMP, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    tab = context.pages()[0] || await context.newPage();
    tab.setDefaultTimeout(15000);
  });
  if (context) await context.close().catch(() => {});
  for (const e of edges) await e.stop().catch(() => {});
  fs.rmSync(TMP, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
