// Browser tests of the bundler: each fixture of tests/bundle-fixtures/ is
// built twice by kiln-build (--no-bundle: the original modules, fingerprinted;
// --bundle: scope-hoisted chunks), both are served by a small static server on
// 127.0.0.1, and headless Chromium (Debian's, via playwright-core) must see
// the same window.__log in both: evaluation order, live bindings, cycles,
// namespaces, names. Prints TAP.
// Environment: KILN_BUILD (the binary), CHROMIUM (/usr/bin/chromium).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KILN_BUILD = process.env.KILN_BUILD || path.join(ROOT, 'build/asan/bin/kiln-build');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIXTURES = path.join(ROOT, 'tests/bundle-fixtures');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bundle-'));

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };

function build(name, mode) {
  const out = path.join(TMP, `${name}-${mode}`);
  const p = spawnSync(KILN_BUILD, ['-q', '--no-sw', '--no-cache', '--encodings', 'none',
    `--${mode}`, '-o', out, path.join(FIXTURES, name)], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`kiln-build --${mode} exited ${p.status}: ${p.stderr}`);
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

async function main() {
  const names = fs.readdirSync(FIXTURES).filter((d) =>
    fs.existsSync(path.join(FIXTURES, d, 'index.html'))).sort();
  let n = 0, failed = 0;
  let server, context, page;
  try {
    server = await serve();
    context = await chromium.launchPersistentContext(path.join(TMP, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
      if (/unbundled/.test(bundled.stderr))
        throw new Error(`the bundler left it unbundled: ${bundled.stderr}`);
      const a = await observe(page, port, `${name}-no-bundle`);
      const b = await observe(page, port, `${name}-bundle`);
      if (!a.done || a.errors.length)
        throw new Error(`the original did not finish: ${a.errors.join('; ')} ${JSON.stringify(a.log)}`);
      if (!b.done || b.errors.length)
        throw new Error(`the bundle did not finish: ${b.errors.join('; ')} ${JSON.stringify(b.log)}`);
      if (JSON.stringify(a.log) !== JSON.stringify(b.log))
        throw new Error(`logs differ:\n  original ${JSON.stringify(a.log)}\n  bundled  ${JSON.stringify(b.log)}`);
      if (b.scripts.length > a.scripts.length)
        throw new Error(`the bundle loads ${b.scripts.length} scripts, the original ${a.scripts.length}`);
      console.log(`ok ${n} - ${name}: the bundle logs what the original modules log (${a.log.length} lines, ${a.scripts.length} -> ${b.scripts.length} scripts)`);
    } catch (e) {
      failed++;
      console.log(`not ok ${n} - ${name}: ${e.message.replace(/\n/g, '\n# ')}`);
    }
  }
  console.log(`1..${n}`);
  await context.close();
  server.close();
  fs.rmSync(TMP, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
