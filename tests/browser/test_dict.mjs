// Compression dictionaries (RFC 9842, issue 14) in Debian's headless Chromium,
// driven by playwright-core: after a deploy, a returning visitor gets the
// changed chunks as dcz deltas against the versions it already holds. Three
// stories, each with its own releases/ root (tools/deploy.sh's layout: one
// directory per release and a `current` symlink), kiln-edge (reloaded on its
// admin port) and persistent profile; the browser is restarted between
// visits, since dictionaries must outlive a session:
//   1. dcz: HTTPS and h2 on https://www.kiln.test (the test CA trusted through
//      NSS, the name mapped to 127.0.0.1), release A, then B deployed by
//      tools/deploy.sh against A. Request headers from CDP's ExtraInfo events.
//   2. br: the same change deployed without previous releases, for the bytes.
//   3. the service worker on http://localhost, through a relay that reads the
//      request heads kiln-edge gets: A, then B, then C.
// The site is generated: a page, a module chunk and its lazy import(), two
// stylesheets, a few KiB each. Prints TAP. Environment: KILN_BUILD,
// KILN_EDGE, CHROMIUM.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, freePort, runTap, assert, sleep, until, terminate, ROOT, KILN_BUILD,
  KILN_EDGE, CHROMIUM, run, nssTrust,
} from './tap.mjs';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-dict-'));
const CERTS = path.join(TMP, 'certs');
const HOME = path.join(TMP, 'home');
const HOST = 'www.kiln.test'; /* in the test certificate's *.kiln.test */
/* Chromium's own background requests fail at once; HOST is 127.0.0.1. */
const RESOLVE = `--host-resolver-rules=MAP ${HOST} 127.0.0.1, MAP * ~NOTFOUND, ` +
  'EXCLUDE localhost, EXCLUDE 127.0.0.1';
/* Chromium uses stored dictionaries only on localhost or behind a
 * certificate from a public root (net's feature of this name, on by
 * default); the test CA is not one. Test 5 shows the difference. */
const KNOWN_ROOT = '--disable-features=CompressionDictionaryTransportRequireKnownRootCert';
/* The chunks a deploy changes, by logical id; css/theme.css never changes. */
const CHANGED = ['css/app.css', 'js/app.js', 'js/lazy.js'];
const COLOR = { A: 'rgb(0, 0, 255)', B: 'rgb(0, 128, 0)', C: 'rgb(128, 0, 128)' };

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/* ---- the site ------------------------------------------------------------------ */

/* Deterministic filler, so every version differs only where it says. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
function names(r, n) {
  const syl = ['ka', 'lo', 'mi', 'tre', 'su', 'ven', 'dor', 'pa', 'qui', 'zel', 'fen', 'rho', 'bas', 'tin'];
  return Array.from({ length: n }, () => Array.from({ length: 2 + Math.floor(r() * 3) },
    () => syl[Math.floor(r() * syl.length)]).join(''));
}
function jsFiller(seed, n) {
  const r = rng(seed);
  let s = '';
  for (let i = 0; i < n; i++) {
    const [a, b, c] = names(r, 3);
    const t = Array.from({ length: 6 }, () => Math.floor(r() * 100000)).join(', ');
    s += `export function ${a}_${i}(${b}, ${c}) {\n  const t = [${t}];\n` +
      `  return t.map((x, i) => (x ^ ${b}.length) + i * ${c}).join('${a.slice(0, 4)}');\n}\n`;
  }
  return s;
}
function cssFiller(seed, n) {
  const r = rng(seed);
  let s = '';
  for (let i = 0; i < n; i++) {
    const [a, b] = names(r, 2);
    s += `.${a}-${i} .${b} { margin: ${Math.floor(r() * 40)}px ${Math.floor(r() * 40)}px; ` +
      `color: #${Math.floor(r() * 0xffffff).toString(16).padStart(6, '0')}; ` +
      `border-radius: ${Math.floor(r() * 12)}px }\n`;
  }
  return s;
}
/* Version v (A, B, C) of the site in dir: each version changes a line of
 * js/app.js (bundled with js/widgets.js), js/lazy.js and css/app.css. */
function site(dir, v) {
  const files = {
    'index.html': `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Dictionaries</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="css/app.css">
<link rel="stylesheet" href="css/theme.css">
<script type="module" src="js/app.js"></script>
</head>
<body>
<h1>Dictionaries</h1>
<p id="release"></p>
<p id="lazy"></p>
</body>
</html>
`,
    'js/app.js': `import { widgetCount } from './widgets.js';\n${jsFiller(1, 60)}
document.getElementById('release').textContent = 'release ${v} with ' + widgetCount() + ' widgets';
import('./lazy.js').then((m) => { document.getElementById('lazy').textContent = m.lazyLabel(); });\n`,
    'js/widgets.js': `${jsFiller(2, 50)}\nexport function widgetCount() { return 50; }\n`,
    'js/lazy.js': `${jsFiller(3, 40)}\nexport function lazyLabel() { return 'lazy ${v}'; }\n`,
    'css/app.css': `${cssFiller(4, 80)}\n#release { color: ${COLOR[v]} }\n`,
    'css/theme.css': cssFiller(5, 60),
  };
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [p, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), body);
  }
  return dir;
}

/* ---- releases and deploys ------------------------------------------------------ */

function manifestOf(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'kiln-manifest.json'), 'utf8'));
}
/* The release ROOT/current points to: { dir, manifest, byId: {id: [url, entry]} } */
function current(root) {
  const dir = fs.realpathSync(path.join(root, 'current'));
  const manifest = manifestOf(dir);
  const byId = {};
  for (const [url, e] of Object.entries(manifest.files))
    if (e.dictionary) byId[e.dictionary.id] = [url, e];
  return { dir, manifest, byId };
}
function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest();
}
/* Available-Dictionary's value for a file's bytes: an sf-binary. */
const availableFor = (file) => `:${sha256(file).toString('base64')}:`;

function reload(s) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: s.admin, method: 'POST', path: '/-/reload' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`reload: ${res.statusCode} ${body}`));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/* Deploys version v with tools/deploy.sh (deltas against the releases of
 * s.root), reloading kiln-edge through its admin port once it runs. */
function deploy(s, v) {
  const args = [path.join(ROOT, 'tools/deploy.sh'), '-r', s.root];
  if (s.edge) args.push('-a', `127.0.0.1:${s.admin}`);
  args.push(site(path.join(s.dir, 'src'), v), '--', '--no-cache', ...(s.sw ? [] : ['--no-sw']));
  const p = spawnSync('sh', args, { encoding: 'utf8', env: { ...process.env, KILN_BUILD }, cwd: s.dir });
  if (p.status !== 0) throw new Error(`deploy.sh exited ${p.status}: ${p.stderr}`);
  return current(s.root);
}
/* The same as deploy.sh without previous releases: a brotli-only deploy. */
async function deployWithoutDeltas(s, v) {
  const next = path.join(s.root, '.next');
  run(KILN_BUILD, ['-q', '--no-cache', '--no-sw', '-o', next, site(path.join(s.dir, 'src'), v)]);
  const id = manifestOf(next).release;
  fs.renameSync(next, path.join(s.root, id));
  fs.symlinkSync(id, path.join(s.root, 'current.tmp'));
  fs.renameSync(path.join(s.root, 'current.tmp'), path.join(s.root, 'current'));
  await reload(s);
  return current(s.root);
}

/* ---- servers --------------------------------------------------------------------- */

const edges = [];
function listening(port) {
  return until(() => new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  }), `a listener on ${port}`);
}
/* kiln-edge on s.root/current: TLS with h2 on s.tls, else plain HTTP, with
 * an admin port and a JSON access log. */
async function startEdge(s) {
  s.port = await freePort();
  s.admin = await freePort();
  s.log = path.join(s.dir, 'access.log');
  const listen = s.tls
    ? ['--listen', 'off', '--listen-tls', `127.0.0.1:${s.port}`, '--http2', 'on',
      '--tls-cert', path.join(CERTS, 'ecdsa.crt'), '--tls-key', path.join(CERTS, 'ecdsa.key')]
    : ['--listen', `127.0.0.1:${s.port}`];
  s.edge = spawn(KILN_EDGE, ['--allow-root', 'on', '-w', '1', ...listen, '--admin', `127.0.0.1:${s.admin}`,
    '--access-log', s.log, '--access-log-format', 'json', path.join(s.root, 'current')],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  edges.push(s.edge);
  await listening(s.port);
  s.origin = s.tls ? `https://${HOST}:${s.port}` : `http://localhost:${s.port}`;
}
/* The access log's lines from mark on: [{target, status, bytes, encoding, referer}] */
function logMark(s) {
  return fs.existsSync(s.log) ? fs.statSync(s.log).size : 0;
}
function logSince(s, mark) {
  return fs.readFileSync(s.log, 'utf8').slice(mark).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/* In front of a plain-HTTP kiln-edge: a relay that records the head of each
 * request it passes on (GETs: a head and no body), as kiln-edge reads it. */
async function startRelay(s) {
  s.heads = [];
  const srv = net.createServer((client) => {
    const upstream = net.connect(s.port, '127.0.0.1');
    let buf = '';
    client.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i; (i = buf.indexOf('\r\n\r\n')) >= 0; buf = buf.slice(i + 4)) {
        const [line, ...fields] = buf.slice(0, i).split('\r\n');
        const h = { path: line.split(' ')[1] };
        for (const f of fields) {
          const c = f.indexOf(':');
          h[f.slice(0, c).toLowerCase()] = f.slice(c + 1).trim();
        }
        s.heads.push(h);
      }
    });
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    for (const x of [client, upstream]) {
      x.on('error', end);
      x.on('close', end);
    }
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  srv.unref();
  s.relay = srv;
  s.origin = `http://localhost:${srv.address().port}`;
}

/* ---- the browser ------------------------------------------------------------------ */

/* Opens s's profile (a fresh browser process: what the profile kept on disk
 * is all that carries over), loads /, waits for the lazy chunk, and records
 * per request from CDP: the request headers sent, the response's status,
 * protocol and headers, where it came from, and encodedDataLength (bytes on
 * the wire, head included). The caller closes seen.context. */
async function visit(s, { flags = s.flags } = {}) {
  const context = await chromium.launchPersistentContext(s.profile, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, RESOLVE, ...flags],
    env: { ...process.env, HOME },
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(20000);
  const seen = { context, page, requests: new Map(), errors: [], failed: [] };
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const req = (id) => {
    if (!seen.requests.has(id)) seen.requests.set(id, { sent: {}, headers: {} });
    return seen.requests.get(id);
  };
  const lower = (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => { req(e.requestId).sent = lower(e.headers); });
  cdp.on('Network.responseReceived', (e) => Object.assign(req(e.requestId), {
    path: new URL(e.response.url).pathname, status: e.response.status, protocol: e.response.protocol,
    headers: lower(e.response.headers), disk: !!e.response.fromDiskCache, sw: !!e.response.fromServiceWorker,
  }));
  cdp.on('Network.loadingFinished', (e) => { req(e.requestId).wire = e.encodedDataLength; });
  cdp.on('Network.loadingFailed', (e) => seen.failed.push(`${req(e.requestId).path}: ${e.errorText}`));
  await page.goto(`${s.origin}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('lazy').textContent !== '');
  await page.waitForLoadState('networkidle');
  seen.state = await page.evaluate(() => ({
    release: document.getElementById('release').textContent,
    lazy: document.getElementById('lazy').textContent,
    color: getComputedStyle(document.getElementById('release')).color,
  }));
  seen.cdp = cdp;
  /* The response CDP saw for url path p (the last one). */
  seen.get = (p) => [...seen.requests.values()].filter((r) => r.path === p).pop();
  return seen;
}
/* The page shows version v and nothing went wrong. */
function works(seen, v) {
  const want = { release: `release ${v} with 50 widgets`, lazy: `lazy ${v}`, color: COLOR[v] };
  assert(JSON.stringify(seen.state) === JSON.stringify(want),
    `page shows ${JSON.stringify(seen.state)}, want ${JSON.stringify(want)}`);
  assert(seen.errors.length === 0, `console errors: ${seen.errors.join(' | ')}`);
  assert(seen.failed.length === 0, `failed requests: ${seen.failed.join(', ')}`);
}

/* ---- story 1: dcz over HTTPS and h2 ------------------------------------------------ */

function story(name, opts) {
  const dir = path.join(TMP, name);
  const root = path.join(dir, 'releases');
  fs.mkdirSync(root, { recursive: true });
  return { name, dir, root, profile: path.join(dir, 'profile'), edge: null, flags: [], ...opts };
}
const one = story('dcz', { tls: true, flags: [KNOWN_ROOT] });
const two = story('br', { tls: true, flags: [KNOWN_ROOT] });
const three = story('sw', { sw: true });
let relA;
let relB;

test('release A over HTTPS and h2: the page works, its chunks carry Use-As-Dictionary with match-dest ("script" "") / ("style" "")', async () => {
  relA = deploy(one, 'A');
  await startEdge(one);
  const seen = await visit(one);
  try {
    works(seen, 'A');
    for (const id of [...CHANGED, 'css/theme.css']) {
      const [url, e] = relA.byId[id] || [];
      assert(url, `${id} is not a dictionary: ${Object.keys(relA.byId)}`);
      const r = seen.get(url);
      assert(r && r.status === 200 && r.protocol === 'h2', `${url}: ${JSON.stringify(r)}`);
      assert(r.headers['use-as-dictionary'] === e.dictionary.use_as_dictionary,
        `${url}: Use-As-Dictionary ${r.headers['use-as-dictionary']}`);
      const dest = id.endsWith('.css') ? 'style' : 'script';
      assert(r.headers['use-as-dictionary'].includes(`match-dest=("${dest}" "")`), r.headers['use-as-dictionary']);
    }
    const offered = [...seen.requests.values()].filter((r) => r.sent['available-dictionary']);
    assert(offered.length === 0, `a first visit offered a dictionary: ${offered.map((r) => r.path)}`);
  } finally {
    await seen.context.close();
  }
});

let deltas = null; /* id: { url, previous (A's file), dcz (the delta file), size } */
test('tools/deploy.sh builds B against A: a dcz delta per changed chunk, keyed by the SHA-256 of A\'s bytes, a single-segment zstd frame', async () => {
  relB = deploy(one, 'B');
  assert(relB.manifest.release !== relA.manifest.release, 'B has A\'s release id');
  deltas = {};
  for (const [id, [url, e]] of Object.entries(relB.byId)) {
    if (!e.deltas) continue;
    const prev = path.join(relA.dir, relA.byId[id][1].file);
    const key = sha256(prev).toString('hex');
    assert(Object.keys(e.deltas).length === 1 && e.deltas[key],
      `${url}: deltas ${Object.keys(e.deltas)}, A's ${id} hashes to ${key}`);
    const dcz = path.join(relB.dir, e.deltas[key].dcz.file);
    const body = fs.readFileSync(dcz);
    assert(body.subarray(0, 8).equals(Buffer.from([0x5e, 0x2a, 0x4d, 0x18, 0x20, 0, 0, 0])) &&
      body.subarray(8, 40).equals(sha256(prev)), `${dcz}: not RFC 9842's header for A's hash`);
    /* The zstd frame: magic, then the frame header descriptor. */
    const fhd = body[44];
    assert(body.readUInt32LE(40) === 0xfd2fb528 && (fhd & 0x20), `${dcz}: not a single-segment frame (FHD ${fhd})`);
    deltas[id] = { url, previous: prev, size: body.length, fcs: fhd >> 6 };
  }
  assert(JSON.stringify(Object.keys(deltas).sort()) === JSON.stringify(CHANGED),
    `deltas for ${Object.keys(deltas)}, changed: ${CHANGED}`);
  console.log(`# deltas: ${Object.values(deltas).map((d) => `${d.url} ${d.size} bytes`).join(', ')} ` +
    '(single-segment frames: the window is the content size, no window descriptor)');
});

let dczVisit = null;
test('the returning visitor (browser restarted, same profile) offers A\'s chunks: Available-Dictionary is their SHA-256, dcz in Accept-Encoding', async () => {
  dczVisit = await visit(one);
  for (const id of CHANGED) {
    const r = dczVisit.get(deltas[id].url);
    assert(r, `${deltas[id].url} was not requested`);
    assert(r.sent['available-dictionary'] === availableFor(deltas[id].previous),
      `${r.path}: Available-Dictionary ${r.sent['available-dictionary']}, A's is ${availableFor(deltas[id].previous)}`);
    assert(/\bdcz\b/.test(r.sent['accept-encoding'] || ''), `${r.path}: Accept-Encoding ${r.sent['accept-encoding']}`);
    assert(r.sent['dictionary-id'] === `"${id}"`, `${r.path}: Dictionary-ID ${r.sent['dictionary-id']}`);
  }
});

test('B\'s changed chunks arrive as content-encoding: dcz over h2 and B\'s code runs; the unchanged stylesheet comes from the HTTP cache', async () => {
  try {
    works(dczVisit, 'B');
    for (const id of CHANGED) {
      const r = dczVisit.get(deltas[id].url);
      assert(r.status === 200 && r.protocol === 'h2' && r.headers['content-encoding'] === 'dcz',
        `${r.path}: ${r.status} ${r.protocol} content-encoding ${r.headers['content-encoding']}`);
      assert(r.headers.vary === 'Accept-Encoding, Available-Dictionary', `${r.path}: Vary ${r.headers.vary}`);
    }
    const theme = dczVisit.get(relB.byId['css/theme.css'][0]);
    assert(theme && theme.disk, `theme.css: ${JSON.stringify(theme)}`);
  } finally {
    await dczVisit.context.close();
  }
});

test(`without ${KNOWN_ROOT}, Chromium offers no dictionary to a host whose certificate is not from a public root`, async () => {
  /* A fetch() of B's chunk bypassing the HTTP cache: destination "", which
   * the dictionaries' match-dest lists. */
  const url = deltas['js/app.js'].url;
  const offered = {};
  for (const [label, flags] of [['without', []], ['with', [KNOWN_ROOT]]]) {
    const seen = await visit(one, { flags });
    try {
      await seen.page.evaluate((u) => fetch(u, { cache: 'reload' }).then((r) => r.text()), url);
      await sleep(200);
      const r = [...seen.requests.values()].filter((x) => x.path === url && !x.disk).pop();
      assert(r, `${label} the flag: no network request for ${url}`);
      offered[label] = r.sent['available-dictionary'] || null;
      if (label === 'without')
        assert(!/\bdcz\b/.test(r.sent['accept-encoding']), `Accept-Encoding ${r.sent['accept-encoding']}`);
    } finally {
      await seen.context.close();
    }
  }
  assert(offered.without === null && offered.with, `Available-Dictionary: ${JSON.stringify(offered)}`);
});

/* ---- story 2: the same change, brotli-only ------------------------------------------ */

test('the same deploy without deltas sends br; dcz moves fewer bytes (CDP encodedDataLength)', async () => {
  deploy(two, 'A');
  await startEdge(two);
  let seen = await visit(two);
  await seen.context.close();
  const relBr = await deployWithoutDeltas(two, 'B');
  assert(relBr.manifest.release === relB.manifest.release, 'the br-only B has another release id');
  const mark = logMark(two);
  seen = await visit(two);
  const brLog = logSince(two, mark);
  const dczLog = logSince(one, 0);
  try {
    works(seen, 'B');
    const rows = [];
    for (const id of CHANGED) {
      const url = deltas[id].url;
      const br = seen.get(url);
      const dcz = [...dczVisit.requests.values()].find((r) => r.path === url);
      assert(br.headers['content-encoding'] === 'br', `${url}: ${br.headers['content-encoding']} brotli-only`);
      const body = (log, enc) => log.find((l) => l.target === url && l.encoding === enc).bytes;
      rows.push({ url, dcz: dcz.wire, br: br.wire, dczBody: body(dczLog, 'dcz'), brBody: body(brLog, 'br') });
    }
    const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
    for (const r of rows)
      console.log(`# ${r.url}: dcz ${r.dcz} bytes on the wire (body ${r.dczBody}), br ${r.br} (body ${r.brBody})`);
    console.log(`# the deploy's ${rows.length} changed chunks: dcz ${sum('dcz')} bytes on the wire ` +
      `(bodies ${sum('dczBody')}), br ${sum('br')} (bodies ${sum('brBody')}); h2, heads included`);
    for (const r of rows) assert(r.dcz < r.br && r.dczBody < r.brBody, `${r.url}: ${JSON.stringify(r)}`);
  } finally {
    await seen.context.close();
  }
});

/* ---- story 3: the service worker ------------------------------------------------------ */

/* Registration state, read in the page. */
const swState = (page) => page.evaluate(async () => {
  const r = await navigator.serviceWorker.getRegistration();
  return {
    controlled: !!navigator.serviceWorker.controller,
    waiting: !!(r && r.waiting), installing: !!(r && r.installing), active: !!(r && r.active),
  };
});
/* Request heads for url path p since head index mark. */
const headsFor = (s, p, mark = 0) => s.heads.slice(mark).filter((h) => h.path === p);

let swA;
test('with the service worker, on http://localhost without flags: release A installs and controls the page', async () => {
  swA = deploy(three, 'A');
  await startEdge(three);
  await startRelay(three);
  const seen = await visit(three);
  try {
    works(seen, 'A');
    await seen.page.evaluate(() => navigator.serviceWorker.ready);
    await seen.page.reload();
    await seen.page.waitForFunction(() => document.getElementById('lazy').textContent !== '');
    const st = await swState(seen.page);
    assert(st.controlled, `not controlled: ${JSON.stringify(st)}`);
  } finally {
    await seen.context.close();
  }
});

let swB;
test('after deploying B, the worker\'s fetches of the changed chunks (Sec-Fetch-Dest: empty) offer A\'s bytes and get dcz; the new worker installs without fetching them again', async () => {
  swB = deploy(three, 'B');
  const mark = logMark(three);
  const hmark = three.heads.length;
  const seen = await visit(three);
  try {
    works(seen, 'B');
    /* The new worker: installed (waiting), then activated. */
    await seen.page.evaluate(() => window.kilnSW.ready.then((r) => r.update()).catch(() => {}));
    await until(async () => {
      const st = await swState(seen.page);
      return st.waiting && !st.installing;
    }, 'the new worker to install');
    const activated = await seen.page.evaluate(() => window.kilnSW.activate({ reload: false }));
    assert(activated === true, 'kilnSW.activate() did not report a new controller');
    const log = logSince(three, mark);
    const lines = [];
    for (const id of CHANGED) {
      const url = swB.byId[id][0];
      const prev = path.join(swA.dir, swA.byId[id][1].file);
      const heads = headsFor(three, url, hmark);
      const served = log.filter((l) => l.target === url);
      assert(heads.length >= 1, `${url} never reached kiln-edge`);
      for (const h of heads) {
        assert(h['sec-fetch-dest'] === 'empty', `${url}: Sec-Fetch-Dest ${h['sec-fetch-dest']}`);
        assert(h['available-dictionary'] === availableFor(prev),
          `${url}: Available-Dictionary ${h['available-dictionary']}, A's is ${availableFor(prev)}`);
      }
      assert(served.length === 1 && served[0].status === 200 && served[0].encoding === 'dcz',
        `${url}: kiln-edge answered ${JSON.stringify(served)}`);
      const from = new URL(served[0].referer).pathname;
      lines.push(`${url} ${served[0].encoding} ${served[0].bytes} bytes, referer ${from}`);
    }
    console.log(`# through the worker: ${lines.join('; ')}`);
    console.log(`# kiln-edge served during the visit and the update: ${log.map((l) =>
      `${l.target} ${l.status} ${l.encoding}`).join(', ')}`);
  } finally {
    await seen.context.close();
  }
});

test('deploy C: the dictionaries stored from the worker\'s fetches serve: C\'s changed chunks offer B\'s bytes and arrive as dcz', async () => {
  const swC = deploy(three, 'C');
  const mark = logMark(three);
  const hmark = three.heads.length;
  const seen = await visit(three);
  try {
    works(seen, 'C');
    const log = logSince(three, mark);
    for (const id of CHANGED) {
      const url = swC.byId[id][0];
      const prev = path.join(swB.dir, swB.byId[id][1].file);
      const heads = headsFor(three, url, hmark);
      assert(heads.length >= 1, `${url} never reached kiln-edge`);
      for (const h of heads)
        assert(h['available-dictionary'] === availableFor(prev),
          `${url}: Available-Dictionary ${h['available-dictionary']}, B's is ${availableFor(prev)}`);
      const served = log.filter((l) => l.target === url);
      assert(served.length >= 1 && served.every((l) => l.encoding === 'dcz'),
        `${url}: kiln-edge answered ${JSON.stringify(served)}`);
    }
  } finally {
    await seen.context.close();
  }
});

test('every kiln-edge stops cleanly on SIGTERM (no sanitizer report)', async () => {
  const codes = [];
  for (const e of edges) {
    await terminate(e);
    codes.push(e.exitCode === null ? e.signalCode : e.exitCode);
  }
  assert(codes.every((c) => c === 0), `exit statuses: ${codes.join(', ')}`);
});

/* ---- main ---------------------------------------------------------------------------- */

async function cleanup() {
  for (const e of edges) await terminate(e);
  if (three.relay) three.relay.close();
  fs.rmSync(TMP, { recursive: true, force: true });
}

async function main() {
  /* Bounded: a hang anywhere ends the run as a failure, with the servers stopped. */
  const watchdog = setTimeout(async () => {
    console.log('not ok - test_dict took over 240 s');
    await cleanup();
    process.exit(1);
  }, 240000);
  const failed = await runTap(tests, async () => {
    run('sh', [path.join(ROOT, 'tests/tls/make-test-certs.sh'), CERTS]);
    nssTrust(HOME, path.join(CERTS, 'ca.crt')); /* Chromium reads $HOME's NSS database */
    console.log(`# ${run(CHROMIUM, ['--version']).trim()}`);
  });
  clearTimeout(watchdog);
  await cleanup();
  process.exit(failed ? 1 : 0);
}

main();
