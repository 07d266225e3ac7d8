// Browser tests of the generated service worker: Debian's headless Chromium,
// driven by playwright-core (no downloaded browser), against kiln-edge serving
// a build of site-example/ on 127.0.0.1 (a secure context over plain HTTP).
// Prints TAP ("ok N - ..."); each test depends on the ones before it, as a
// visitor's story does: first visit, second visit, offline, update.
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

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-browser-'));
const SRC = path.join(TMP, 'src');
const LOG = path.join(TMP, 'access.log');
const CURRENT = path.join(TMP, 'current');
const SIZE_LIMIT = 30000; /* img/hero-1280.png (36,764 bytes) is over it */

/* ---- harness ---------------------------------------------------------------- */

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/* ---- the release and the server ------------------------------------------- */

function build(out) {
  const p = spawnSync(KILN_BUILD, ['-q', '--cache-dir',
    path.join(TMP, 'cache'), '--sw-config', path.join(TMP, 'sw.json'), '-o', out, SRC],
  { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`kiln-build exited ${p.status}: ${p.stderr}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'kiln-manifest.json'), 'utf8'));
  const sw = fs.readFileSync(path.join(out, 'sw.js'), 'utf8');
  const list = (name) => JSON.parse(sw.match(new RegExp(`^const ${name} = (.*);$`, 'm'))[1]);
  return { out, stderr: p.stderr, manifest, precache: list('PRECACHE'), warm: list('WARM') };
}

/* The browser talks to kiln-edge through this relay, which counts the bytes
 * on the wire both ways (request and response heads included). */
const wire = { up: 0, down: 0 };
let proxyPort = 0;
function startProxy() {
  return new Promise((resolve) => {
    const srv = net.createServer((client) => {
      const upstream = net.connect(port, '127.0.0.1');
      client.on('data', (d) => { wire.up += d.length; });
      upstream.on('data', (d) => { wire.down += d.length; });
      client.pipe(upstream).pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
    srv.listen(0, '127.0.0.1', () => {
      proxyPort = srv.address().port;
      srv.unref();
      resolve(srv);
    });
  });
}

let edge = null;
let port = 0;
async function startEdge() {
  edge = spawn(KILN_EDGE, ['--allow-root', 'on', '-l', `127.0.0.1:${port}`, '-w', '1', '--access-log', LOG, CURRENT],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  await until(() => new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  }), 'kiln-edge to listen');
}
async function stopEdge() {
  if (!edge) return;
  const e = edge;
  edge = null;
  await terminate(e);
}
/* Access log lines written from now on: [{method, path, status, bytes}] */
function logMark() {
  return fs.existsSync(LOG) ? fs.statSync(LOG).size : 0;
}
function logSince(mark) {
  const text = fs.readFileSync(LOG, 'utf8').slice(mark);
  return text.split('\n').filter(Boolean).map((l) => {
    const m = l.match(/"(\w+) (\S+) [^"]*" (\d{3}) (\d+|-)/);
    return m && { method: m[1], path: m[2], status: +m[3], bytes: m[4] === '-' ? 0 : +m[4] };
  }).filter(Boolean);
}

/* ---- the browser ---------------------------------------------------------------- */

let context = null;
let page = null;
const origin = () => `http://127.0.0.1:${proxyPort}`;

/* The current release cache's URL paths, read inside the page. */
async function cacheState() {
  return page.evaluate(async () => {
    const names = await caches.keys();
    const out = {};
    for (const n of names) {
      const c = await caches.open(n);
      out[n] = (await c.keys()).map((r) => new URL(r.url).pathname);
    }
    return out;
  });
}

/* ---- the story ---------------------------------------------------------------- */

let r1;
let r2;

test('the service worker installs, then controls the page after a reload', async () => {
  await page.goto(origin() + '/');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  const controlled = await page.evaluate(() => !!navigator.serviceWorker.controller);
  assert(controlled, 'no controller after reload');
  const release = await page.evaluate(() => new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = (e) => resolve(e.data.release);
    navigator.serviceWorker.controller.postMessage({ type: 'GET_VERSION' }, [ch.port2]);
  }));
  assert(release === r1.manifest.release, `worker says release ${release}`);
});

test('every precached URL is in Cache Storage, under the release id', async () => {
  const caches = await cacheState();
  const mine = caches['kiln-precache-' + r1.manifest.release];
  assert(mine, `no cache for the release: ${Object.keys(caches)}`);
  const missing = r1.precache.map((e) => e.url).filter((u) => !mine.includes(u));
  assert(missing.length === 0, `not cached: ${missing}`);
  assert(r1.precache.some((e) => e.url === '/index.html') &&
         r1.precache.some((e) => e.url === '/about.html'), 'entry documents not listed');
  assert(r1.precache.some((e) => /^\/kiln-sw-register\.[0-9a-f]{10}\.js$/.test(e.url)),
    'the registration script is not precached');
});

test('sidecars, source maps and files over the size limit are not precached', async () => {
  const urls = r1.precache.map((e) => e.url);
  const bad = urls.filter((u) => /\.(br|zst|gz|dcz|map)$/.test(u));
  assert(bad.length === 0, `precached: ${bad}`);
  const hero = Object.values(r1.manifest.files).find((e) => e.source === 'img/hero-1280.png');
  assert(hero.size > SIZE_LIMIT && !urls.includes('/' + hero.file), 'hero-1280.png precached');
  assert(/img\/hero-1280\.png: \d+ bytes, over maximumFileSizeToCacheInBytes/.test(r1.stderr),
    `no warning naming the file: ${r1.stderr}`);
  for (const e of r1.precache) {
    const f = r1.manifest.files[e.url];
    assert(f && f.size <= SIZE_LIMIT, `${e.url}: not in the manifest or over the limit`);
    if (f.class === 'immutable') assert(e.integrity === f.integrity, `${e.url}: integrity`);
    else assert(e.revision === f.etag, `${e.url}: revision is not the ETag`);
  }
});

/* The lazy chart chunk, reached only through import(). */
const lazyChunk = () => r1.precache.map((e) => e.url).find((u) => /^\/js\/chart\./.test(u));

test('lazy chunks are precached, like every fingerprinted script', async () => {
  const chart = lazyChunk();
  assert(/^\/js\/chart\.[0-9a-f]{10}\.js$/.test(chart || ''),
    `precache: ${r1.precache.map((e) => e.url)}`);
  assert(!r1.warm.some((e) => e.url === chart), 'the lazy chunk is also on the warm list');
  assert((await cacheState())['kiln-precache-' + r1.manifest.release].includes(chart),
    'the lazy chunk is not in the cache');
});

let secondVisit = null;
test('a second visit transfers only the revalidation of the entry document', async () => {
  await sleep(500); /* let the previous page's requests settle */
  const mark = logMark();
  const up0 = wire.up;
  const down0 = wire.down;
  await page.goto(origin() + '/');
  await page.waitForLoadState('load');
  await sleep(1500); /* the worker's update check of sw.js would come after load */
  const log = logSince(mark);
  const docs = log.filter((l) => l.path === '/' || l.path === '/index.html');
  const others = log.filter((l) => !(l.path === '/' || l.path === '/index.html' || l.path === '/sw.js'));
  assert(docs.length === 1 && docs[0].status === 304, `document: ${JSON.stringify(docs)}`);
  assert(others.length === 0, `other requests: ${JSON.stringify(others)}`);
  assert(log.every((l) => l.status === 304), `not all 304: ${JSON.stringify(log)}`);
  secondVisit = { log, body: log.reduce((a, l) => a + l.bytes, 0), sent: wire.up - up0,
    received: wire.down - down0 };
  console.log(`# second visit: ${log.length} request(s) at the server ` +
    `(${log.map((l) => `${l.path} ${l.status}`).join(', ')}), ${secondVisit.body} body bytes; ` +
    `on the wire ${secondVisit.sent} bytes sent, ${secondVisit.received} bytes received`);
});

test('with the server stopped, both pages and the lazy chunk still load', async () => {
  await stopEdge();
  await page.reload();
  assert((await page.title()).includes('Kiln Bakery'), `title offline: ${await page.title()}`);
  await page.goto(origin() + '/about.html');
  assert((await page.title()).startsWith('About'), `about offline: ${await page.title()}`);
  const styled = await page.evaluate(() => document.styleSheets.length > 0 &&
    [...document.styleSheets].some((s) => s.cssRules.length > 0));
  assert(styled, 'about page has no stylesheet offline');
  await page.goto(origin() + '/');
  const chart = lazyChunk();
  const ok = await page.evaluate(async (u) => {
    const m = await import(u);
    return Object.keys(m).length > 0;
  }, chart);
  assert(ok, 'the lazy chunk did not load offline');
});

test('offline, a page never visited gets the offline fallback page', async () => {
  await page.goto(origin() + '/never-visited');
  const text = await page.textContent('body');
  assert(text.includes('kiln-offline-fallback'), `got: ${text.slice(0, 200)}`);
});

let updateEvent = null;
test('after a deploy, the page is told that an update is available', async () => {
  await startEdge();
  await page.goto(origin() + '/');
  await page.evaluate(() => {
    window.__updates = 0;
    window.addEventListener('kiln-sw-update', () => { window.__updates++; });
  });
  /* One changed file, a new release directory, the symlink switched, SIGHUP. */
  fs.appendFileSync(path.join(SRC, 'css/print.css'), '\n.changed-by-the-test { color: red }\n');
  r2 = build(path.join(TMP, 'r2'));
  assert(r2.manifest.release !== r1.manifest.release, 'same release id after a change');
  fs.unlinkSync(CURRENT);
  fs.symlinkSync(path.join(TMP, 'r2'), CURRENT);
  const mark = logMark();
  edge.kill('SIGHUP');
  await sleep(300);
  await page.evaluate(() => window.kilnSW.ready.then((r) => r.update()));
  await until(() => page.evaluate(() => window.__updates > 0), 'the update event');
  await sleep(300);
  updateEvent = logSince(mark);
});

test('the new worker downloads only what changed', async () => {
  const before = new Set(r1.precache.map((e) => e.url));
  const fetched = updateEvent.filter((l) => l.status === 200).map((l) => l.path);
  const unchanged = fetched.filter((p) => before.has(p) && /\.[0-9a-f]{10}\./.test(p));
  assert(unchanged.length === 0, `refetched unchanged assets: ${unchanged}`);
  const newCss = r2.precache.find((e) => /^\/css\/print\./.test(e.url));
  assert(fetched.includes(newCss.url), `the changed file was not fetched: ${fetched}`);
  console.log(`# update: ${fetched.length} files fetched: ${fetched.join(', ')}`);
});

test('activating the update swaps caches and the old cache is gone', async () => {
  const swapped = await page.evaluate(() => window.kilnSW.activate({ reload: false }));
  assert(swapped === true, 'activate() did not report a new controller');
  const release = await page.evaluate(() => new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = (e) => resolve(e.data.release);
    navigator.serviceWorker.controller.postMessage({ type: 'GET_VERSION' }, [ch.port2]);
  }));
  assert(release === r2.manifest.release, `controller's release ${release}`);
  const state = await until(async () => {
    const s = await cacheState();
    return !s['kiln-precache-' + r1.manifest.release] && s['kiln-precache-' + r2.manifest.release] && s;
  }, 'the old cache to be deleted');
  const names = Object.keys(state).filter((n) => n.startsWith('kiln-precache-'));
  assert(names.length === 1, `caches: ${names}`);
  const mine = state['kiln-precache-' + r2.manifest.release];
  const missing = r2.precache.map((e) => e.url).filter((u) => !mine.includes(u));
  assert(missing.length === 0, `not cached after the update: ${missing}`);
});

test('a tab still on the old release gets its old assets from the edge', async () => {
  /* The new worker has no copy of the old stylesheet; the edge keeps the
   * previous release's immutable assets (--keep-releases), so it still answers. */
  const old = r1.precache.find((e) => /^\/css\/print\./.test(e.url)).url;
  assert(!r2.precache.some((e) => e.url === old), 'the old URL is in the new release too');
  const mark = logMark();
  /* no-store: past the browser's HTTP cache, which still holds it from the first visit */
  const status = await page.evaluate(async (u) => (await fetch(u, { cache: 'no-store' })).status, old);
  assert(status === 200, `old stylesheet: ${status}`);
  const served = logSince(mark).filter((l) => l.path === old);
  assert(served.length === 1 && served[0].status === 200, `edge log: ${JSON.stringify(served)}`);
});

/* ---- main ------------------------------------------------------------------------ */

async function main() {
  const failed = await runTap(tests, async () => {
    fs.cpSync(path.join(ROOT, 'site-example'), SRC, { recursive: true });
    fs.writeFileSync(path.join(SRC, 'offline.html'), '<!doctype html><html lang="en"><head>' +
      '<meta charset="utf-8"><title>Offline</title></head><body><h1>You are offline</h1>' +
      '<p>kiln-offline-fallback</p></body></html>\n');
    fs.writeFileSync(path.join(TMP, 'sw.json'), JSON.stringify({
      maximumFileSizeToCacheInBytes: SIZE_LIMIT,
    }));
    r1 = build(path.join(TMP, 'r1'));
    fs.symlinkSync(path.join(TMP, 'r1'), CURRENT);
    port = await freePort();
    await startEdge();
    await startProxy();
    context = await chromium.launchPersistentContext(path.join(TMP, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(15000);
  });
  if (context) await context.close().catch(() => {});
  await stopEdge().catch(() => {});
  if (secondVisit) fs.writeFileSync(path.join(ROOT, 'build', 'second-visit.json'),
    JSON.stringify(secondVisit, null, 2));
  fs.rmSync(TMP, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
