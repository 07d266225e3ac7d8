// Browser tests of the bundler: each fixture of tests/bundle-fixtures/ is
// built twice by kiln-build (--no-bundle: the original modules, fingerprinted;
// --bundle: scope-hoisted chunks), both are served by a small static server on
// 127.0.0.1, and headless Chromium (Debian's, via playwright-core) must see
// the same window.__log in both: evaluation order, live bindings, cycles,
// namespaces, names; and so must the legacy twins (System.register format,
// kiln's loader), forced by stripping the module scripts, and reached through
// kiln's capability-check fallback with the check stripped; and so must a third
// build with --import-map (chunks resolved through the page's generated import
// map, integrity checked), and builds whose modern chunks are lowered to
// --target es2017 and es2020 (the twins are ES5 in every build). Then the same for seeded random module graphs (which
// may be left unbundled, with a warning: both builds must still agree).
// The identity-* fixtures load a module by its own URL from outside the
// bundle (an island, an inline script, a file a computed import() reaches, a
// client-side router) and count in its state (`bump N` lines): the count
// must go on from one instance, 1, 2, 3..., never start again; they may be
// left unbundled, which is how kiln keeps one instance.
// Prints TAP.
// Environment: KILN_BUILD (the binary), CHROMIUM (/usr/bin/chromium),
// KILN_BUNDLE_FIXTURES (a regular expression: only the fixtures it matches,
// without the random graphs and site-example).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, KILN_BUILD, CHROMIUM } from './tap.mjs';

const FIXTURES = path.join(ROOT, 'tests/bundle-fixtures');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bundle-'));

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.webp': 'image/webp',
  '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json' };

/* ---- random module graphs ---------------------------------------------------------
 * Seeded, so every run tests the same graphs: 3-9 modules, one or two module
 * scripts, static imports (named, namespace, bare) that make cycles and
 * shared modules, `export let` bumped through imported functions (live
 * bindings, TDZ errors caught and logged), and import() calls run one after
 * another at the end so that network timing cannot reorder the log. */

function rng(seed) {
  let x = seed * 2654435761 % 4294967296 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

function randomSite(seed, dir) {
  const r = rng(seed + 1);
  const int = (a, b) => a + Math.floor(r() * (b - a + 1));
  const sample = (n, k) => {
    const v = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) { const j = int(0, i); [v[i], v[j]] = [v[j], v[i]]; }
    return v.slice(0, k);
  };
  const n = int(3, 9);
  const entries = [...new Set(sample(n, int(1, 2)))].sort();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script>window.__log = []; ' +
    `window.__dynq = []; window.__pending = ${entries.length};</script>\n` +
    entries.map((e) => `<script type="module" src="./m${e}.js"></script>\n`).join(''));
  for (let i = 0; i < n; i++) {
    const deps = sample(n, int(0, Math.min(3, n)));
    const L = [];
    const kinds = deps.map(() => ['named', 'named', 'bare', seed % 3 === 0 ? 'ns' : 'named'][int(0, 3)]);
    deps.forEach((j, k) => {
      if (kinds[k] === 'named') L.push(`import { v${j} as i${j}, bump${j} as b${j} } from "./m${j}.js";`);
      else if (kinds[k] === 'ns') L.push(`import * as ns${j} from "./m${j}.js";`);
      else L.push(`import "./m${j}.js";`);
    });
    L.push(`__log.push("eval m${i}");`, `export let v${i} = ${i};`,
      `export function bump${i}() { v${i} += 10; return v${i}; }`,
      `const local = "m${i}";`, 'function helper() { return local; }');
    deps.forEach((j, k) => {
      if (kinds[k] === 'named')
        L.push(`try { __log.push("m${i} sees m${j} " + i${j} + " " + b${j}() + " " + i${j} + " " + helper()); } catch (e) { __log.push("m${i} " + e.name); }`);
      else if (kinds[k] === 'ns')
        L.push(`try { __log.push("m${i} ns m${j} " + Object.keys(ns${j}).join("|") + " " + ns${j}.v${j}); } catch (e) { __log.push("m${i} " + e.name); }`);
    });
    const j = int(0, n - 1);
    if (j !== i && r() < 0.4)
      L.push(`__dynq.push(() => import("./m${j}.js").then((m) => __log.push("dyn m${i} m${j} " + m.v${j} + " " + Object.keys(m).join("|"))));`);
    if (entries.includes(i))
      L.push('if (--window.__pending === 0) setTimeout(async () => { for (const f of __dynq) await f(); window.__done = true; }, 0);');
    fs.writeFileSync(path.join(dir, `m${i}.js`), L.join('\n') + '\n');
  }
}

const RANDOM = 24;

/* The builds compared with the original modules (--no-bundle). */
const MODES = {
  'no-bundle': ['--no-bundle'],
  bundle: ['--bundle'],
  minify: ['--bundle', '--minify-whitespace'],
  /* Chunks importing each other through the page's generated import map. */
  'import-map': ['--bundle', '--import-map'],
  /* Modern chunks lowered to older targets (the default, baseline, is
   * 'bundle'). */
  es2017: ['--bundle', '--target', 'es2017'],
  es2020: ['--bundle', '--target', 'es2020'],
};

function build(name, mode) {
  const out = path.join(TMP, `${name}-${mode}`);
  const src = name.startsWith('random-') ? path.join(TMP, 'src', name) : path.join(FIXTURES, name);
  const p = spawnSync(KILN_BUILD, ['-q', '--no-sw', '--no-cache', '--encodings', 'none',
    ...MODES[mode], '-o', out, src], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`kiln-build ${MODES[mode].join(' ')} exited ${p.status}: ${p.stderr}`);
  return { out, stderr: p.stderr };
}

/* Serves TMP: /NAME-MODE/... maps to the build's files. */
function serve() {
  const server = http.createServer((req, res) => {
    const p = path.join(TMP, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!p.startsWith(TMP) || !fs.existsSync(p) || fs.statSync(p).isDirectory()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(p)] || 'application/octet-stream' });
    res.end(fs.readFileSync(p));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function observe(page, port, dir) {
  const errors = [];
  const onError = (e) => errors.push(String(e));
  page.on('pageerror', onError);
  const scripts = [];
  const onRequest = (r) => { if (r.url().endsWith('.js')) scripts.push(r.url()); };
  page.on('request', onRequest);
  await page.goto(`http://127.0.0.1:${port}/${dir}/index.html`);
  await page.waitForFunction(() => window.__done === true, null, { timeout: 10000 })
    .catch(() => {});
  const log = await page.evaluate(() => window.__log);
  const done = await page.evaluate(() => window.__done === true);
  page.off('pageerror', onError);
  page.off('request', onRequest);
  return { log, done, errors, scripts };
}

/* The legacy path, forced: a copy of the bundled release whose pages lose
 * their module scripts (the capability check included) and modulepreloads,
 * and whose nomodule scripts lose the attribute, so Chromium runs the
 * System.register twins through kiln's loader. */
function legacyCopy(name, mode) {
  const from = path.join(TMP, `${name}-bundle`), to = path.join(TMP, `${name}-${mode}`);
  fs.cpSync(from, to, { recursive: true });
  for (const f of fs.readdirSync(to, { recursive: true })) {
    if (!f.endsWith('.html')) continue;
    const p = path.join(to, f);
    const html = fs.readFileSync(p, 'utf8').replace(/<link rel="modulepreload"[^>]*>\n?/g, '');
    fs.writeFileSync(p, mode === 'legacy'
      ? html.replace(/<script type="module"[^>]*>[^]*?<\/script>\n?/g, '')
        .replace(/<script nomodule /g, '<script ')
      /* 'fallback': a browser that parses modules but fails the capability
       * check (and so the modern chunks' guard): kiln's fallback script
       * must load the nomodule twins. */
      : html.replace(/<script type="module" src=[^>]*>[^]*?<\/script>\n?/g, '')
        .replace(/<script type="module">import\.meta[^]*?<\/script>\n?/g, ''));
  }
}

/* Serves one directory at the root (site-example uses absolute URLs). */
function serveDir(root) {
  const server = http.createServer((req, res) => {
    let p = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (p.endsWith('/')) p += 'index.html';
    if (!p.startsWith(root) || !fs.existsSync(p) || fs.statSync(p).isDirectory()) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(fs.readFileSync(path.join(root, '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(p)] || 'application/octet-stream' });
    res.end(fs.readFileSync(p));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/* What site-example's scripts do to a page, as a user would see it: the
 * text of the page once its scripts and fetches are done, the theme and
 * shift markers they set, the chart a click loads (home page), the theme
 * toggle, console messages and errors. The clock is fixed so that "open
 * now" lines agree. */
async function sitePage(page, origin, url) {
  const log = [];
  const scripts = [];
  const onConsole = (m) => log.push(`${m.type()}: ${m.text()}`.replaceAll(origin, '/'));
  const onError = (e) => log.push(`pageerror: ${e}`.replaceAll(origin, '/'));
  const onRequest = (r) => { if (r.url().endsWith('.js')) scripts.push(r.url()); };
  page.on('console', onConsole);
  page.on('pageerror', onError);
  page.on('request', onRequest);
  await page.goto(origin + url, { waitUntil: 'networkidle' });
  await page.waitForFunction(() => document.documentElement.dataset.js === 'ready', null,
    { timeout: 10000 }).catch(() => log.push('never ready'));
  const state = () => page.evaluate(() => ({
    text: document.body.innerText,
    theme: document.documentElement.dataset.theme || '',
    onShift: [...document.querySelectorAll('[data-on-shift]')].map((e) => e.textContent.trim().split('\n')[0]),
    proof: document.getElementById('total-proof')?.textContent,
    year: [...document.querySelectorAll('[data-year]')].map((e) => e.textContent),
  }));
  const seen = { before: await state() };
  if (await page.$('#show-chart')) {
    await page.click('#show-chart');
    await page.waitForSelector('#chart-panel[data-rendered]', { timeout: 10000 })
      .catch(() => log.push('chart never rendered'));
    seen.chart = await page.evaluate(() => document.getElementById('chart-panel').innerText);
  }
  if (await page.$('.theme-toggle')) {
    await page.click('.theme-toggle');
    /* The announcement is written in the next animation frame. */
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    seen.toggled = await state();
  }
  page.off('console', onConsole);
  page.off('pageerror', onError);
  page.off('request', onRequest);
  seen.log = log;
  return { seen, scripts: scripts.length };
}

async function siteExample(page) {
  const SITE = path.join(ROOT, 'site-example');
  const PAGES = ['index.html', 'about.html', 'docs/guide.html', 'nowhere.html'];
  const got = {};
  await page.clock.setFixedTime(new Date('2026-03-04T10:17:00'));
  for (const mode of ['no-bundle', 'bundle', 'minify', 'import-map', 'es2017']) {
    const dir = path.join(TMP, `site-example-${mode}`);
    const p = spawnSync(KILN_BUILD, ['-q', '--no-sw', '--no-cache', '--encodings', 'none',
      ...MODES[mode], '-o', dir, SITE], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`kiln-build ${mode} exited ${p.status}: ${p.stderr}`);
    if (p.stderr) throw new Error(`kiln-build ${mode} warned: ${p.stderr}`);
    const server = await serveDir(dir);
    try {
      got[mode] = {};
      for (const url of PAGES)
        got[mode][url] = await sitePage(page, `http://127.0.0.1:${server.address().port}/`, url);
    } finally {
      server.close();
    }
  }
  const counts = [];
  for (const url of PAGES) {
    const a = got['no-bundle'][url], b = got.bundle[url];
    for (const mode of ['bundle', 'minify', 'import-map', 'es2017'])
      if (JSON.stringify(a.seen) !== JSON.stringify(got[mode][url].seen))
        throw new Error(`${url} differs (${mode}):\n  original ${JSON.stringify(a.seen)}\n  ${mode} ${JSON.stringify(got[mode][url].seen)}`);
    if (a.seen.log.some((l) => /^pageerror|never/.test(l)))
      throw new Error(`${url}: ${a.seen.log.join('; ')}`);
    if (b.scripts > a.scripts)
      throw new Error(`${url}: the bundle loads ${b.scripts} scripts, the original ${a.scripts}`);
    counts.push(`${url} ${a.scripts} -> ${b.scripts}`);
  }
  return counts.join(', ');
}

/* Modules both imported and import()ed need a shared chunk and a facade, and
 * so does each module an inline module script imports:
 * there the bundle may load more files than the original. */
/* What a fixture's legacy twins show differently for a reason that is not a
 * bug (tests/e2e/test_lower.py has the Duktape ones): a lowered async
 * function is a function returning a promise, ES5 has no AsyncFunction. */
const LEGACY_KNOWN = { minify: [['AsyncFunction', 'Function']] };
function legacyExpected(name, log) {
  return log.map((x) => (LEGACY_KNOWN[name] || []).reduce(
    (s, [from, to]) => (typeof s === 'string' ? s.replace(from, to) : s), x));
}

function lazy(name) {
  return fs.readFileSync(path.join(FIXTURES, name, 'main.js'), 'utf8').includes('import(') ||
    /<script type="module">\s*import/.test(fs.readFileSync(path.join(FIXTURES, name, 'index.html'), 'utf8'));
}

/* One instance of each module: the `bump N` lines of a log (each a bump()
 * of a module's counter) count 1, 2, 3... A second instance would count
 * from 1 again. */
function oneInstance(log) {
  const bumps = log.filter((l) => /^bump \d+$/.test(l));
  bumps.forEach((l, i) => {
    if (l !== `bump ${i + 1}`)
      throw new Error(`a module runs twice: ${JSON.stringify(bumps)}`);
  });
}

async function main() {
  const only = process.env.KILN_BUNDLE_FIXTURES ? new RegExp(process.env.KILN_BUNDLE_FIXTURES) : null;
  const names = fs.readdirSync(FIXTURES).filter((d) =>
    fs.existsSync(path.join(FIXTURES, d, 'index.html')) && (!only || only.test(d))).sort();
  for (let i = 0; i < (only ? 0 : RANDOM); i++) {
    randomSite(i, path.join(TMP, 'src', `random-${i}`));
    names.push(`random-${i}`);
  }
  let bundledRandom = 0;
  let n = 0, failed = 0;
  let server, context, page;
  try {
    server = await serve();
    context = await chromium.launchPersistentContext(path.join(TMP, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] || await context.newPage();
  } catch (e) {
    console.log(`not ok 1 - browser setup: ${e.message}`);
    process.exit(1);
  }
  const port = server.address().port;
  for (const name of names) {
    n++;
    try {
      const plain = build(name, 'no-bundle');
      const bundled = build(name, 'bundle');
      build(name, 'minify');
      build(name, 'import-map');
      build(name, 'es2017');
      build(name, 'es2020');
      const random = name.startsWith('random-');
      if (/unbundled/.test(bundled.stderr) && !random && !name.startsWith('identity-'))
        throw new Error(`the bundler left it unbundled: ${bundled.stderr}`);
      if (random && !/unbundled/.test(bundled.stderr))
        bundledRandom++;
      const a = await observe(page, port, `${name}-no-bundle`);
      const b = await observe(page, port, `${name}-bundle`);
      if (!a.done || a.errors.length)
        throw new Error(`the original did not finish: ${a.errors.join('; ')} ${JSON.stringify(a.log)}`);
      if (!b.done || b.errors.length)
        throw new Error(`the bundle did not finish: ${b.errors.join('; ')} ${JSON.stringify(b.log)}`);
      oneInstance(a.log);
      oneInstance(b.log);
      if (JSON.stringify(a.log) !== JSON.stringify(b.log))
        throw new Error(`logs differ:\n  original ${JSON.stringify(a.log)}\n  bundled  ${JSON.stringify(b.log)}`);
      /* An unbundled release has no twins: nothing to force there. A page
       * with an inline module script has no legacy equivalent of it: a
       * nomodule browser skips it, bundled or not, so its log differs by
       * design (docs/bundling.md). */
      const inline = !random && /<script type="module">/.test(
        fs.readFileSync(path.join(FIXTURES, name, 'index.html'), 'utf8'));
      const twins = !/unbundled/.test(bundled.stderr) && !inline;
      let c = { ...a, scripts: [] };
      for (const mode of twins ? ['legacy', 'fallback'] : []) {
        legacyCopy(name, mode);
        c = await observe(page, port, `${name}-${mode}`);
        if (!c.done || c.errors.length)
          throw new Error(`the ${mode} path did not finish: ${c.errors.join('; ')} ${JSON.stringify(c.log)}`);
        if (JSON.stringify(legacyExpected(name, a.log)) !== JSON.stringify(c.log))
          throw new Error(`logs differ:\n  original ${JSON.stringify(a.log)}\n  ${mode} ${JSON.stringify(c.log)}`);
      }
      if (twins && !c.scripts.some((u) => /\.legacy\./.test(u)))
        throw new Error('the legacy path loaded no legacy twin');
      if (b.scripts.some((u) => /\.legacy\./.test(u)))
        throw new Error('the modern path loaded a legacy twin');
      if (b.scripts.length > a.scripts.length && !random && !lazy(name))
        throw new Error(`the bundle loads ${b.scripts.length} scripts, the original ${a.scripts.length}`);
      const mz = await observe(page, port, `${name}-minify`);
      if (!mz.done || mz.errors.length || JSON.stringify(a.log) !== JSON.stringify(mz.log))
        throw new Error(`--minify-whitespace: ${mz.errors.join('; ')}\n  original ${JSON.stringify(a.log)}\n  minified ${JSON.stringify(mz.log)}`);
      const im = await observe(page, port, `${name}-import-map`);
      if (!im.done || im.errors.length || JSON.stringify(a.log) !== JSON.stringify(im.log))
        throw new Error(`--import-map: ${im.errors.join('; ')}\n  original ${JSON.stringify(a.log)}\n  import map ${JSON.stringify(im.log)}`);
      for (const target of ['es2017', 'es2020']) {
        const lt = await observe(page, port, `${name}-${target}`);
        if (!lt.done || lt.errors.length || JSON.stringify(a.log) !== JSON.stringify(lt.log))
          throw new Error(`--target ${target}: ${lt.errors.join('; ')}\n  original ${JSON.stringify(a.log)}\n  lowered ${JSON.stringify(lt.log)}`);
      }
      console.log(`ok ${n} - ${name}: the bundle (minified or not, through an import map or not, lowered to es2017 and es2020 or not) and its legacy twins (ES5) log what the original modules log (${a.log.length} lines, ${a.scripts.length} -> ${b.scripts.length} scripts, legacy ${c.scripts.length}${twins ? "; twins also through the fallback" : inline ? "; an inline module script: no legacy equivalent" : ", unbundled"})`);
    } catch (e) {
      failed++;
      console.log(`not ok ${n} - ${name}: ${e.message.replace(/\n/g, '\n# ')}`);
    }
  }
  if (only) {
    console.log(`1..${n}`);
    await context.close();
    server.close();
    fs.rmSync(TMP, { recursive: true, force: true });
    process.exit(failed ? 1 : 0);
  }
  n++;
  try {
    const counts = await siteExample(page);
    console.log(`ok ${n} - site-example bundles without warnings, and every page shows and logs the same bundled (minified or not, through an import map or not, lowered to es2017 or not) and not (scripts: ${counts})`);
  } catch (e) {
    failed++;
    console.log(`not ok ${n} - site-example: ${e.message.replace(/\n/g, '\n# ')}`);
  }
  n++;
  /* Random graphs often meet a reason to stay unbundled; most must not. */
  if (bundledRandom >= RANDOM / 4) {
    console.log(`ok ${n} - ${bundledRandom} of ${RANDOM} random graphs were bundled`);
  } else {
    failed++;
    console.log(`not ok ${n} - only ${bundledRandom} of ${RANDOM} random graphs were bundled`);
  }
  console.log(`1..${n}`);
  await context.close();
  server.close();
  fs.rmSync(TMP, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
