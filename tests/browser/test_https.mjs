// site-example over HTTPS in Debian's headless Chromium: kiln-edge with the
// throwaway certificates of tests/tls/make-test-certs.sh, the test CA trusted
// the way a user or an enterprise does it on Linux (an NSS database in the
// profile's $HOME, filled with certutil), and no --ignore-certificate-errors:
// the page loads only if the chain, the name and the TLS policy all satisfy
// the browser. Then the same site with the CA absent must be refused.
// Prints TAP. Environment: KILN_BUILD, KILN_EDGE, CHROMIUM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, freePort, runTap, assert, terminate, ROOT, KILN_BUILD, KILN_EDGE, CHROMIUM,
  run, nssTrust,
} from './tap.mjs';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-https-'));
const CERTS = path.join(TMP, 'certs');

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
let edge = null;
let port = 0;
let redirectPort = 0;
async function startEdge(release) {
  port = await freePort();
  redirectPort = await freePort();
  edge = spawn(KILN_EDGE, ['--allow-root', 'on', '-w', '1', '--listen', 'off', '--listen-tls', `127.0.0.1:${port}`,
    '--tls-cert', path.join(CERTS, 'ecdsa.crt'), '--tls-key', path.join(CERTS, 'ecdsa.key'),
    '--redirect-http', `127.0.0.1:${redirectPort}`, '--hsts', '300', release],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  const end = Date.now() + 15000;
  for (;;) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > end) throw new Error('kiln-edge did not listen');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/* A browser whose $HOME holds an NSS database; with trust, the test CA is in it. */
async function browser(name, trust) {
  const home = path.join(TMP, name);
  nssTrust(home, trust && path.join(CERTS, 'ca.crt'));
  const context = await chromium.launchPersistentContext(path.join(home, 'profile'), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env: { ...process.env, HOME: home },
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(20000);
  return { context, page };
}

let trusted = null;
const origin = () => `https://localhost:${port}`;

test('site-example loads over HTTPS with the test CA: TLS 1.2, the ECDSA certificate', async () => {
  const { page } = trusted;
  const resp = await page.goto(`${origin()}/`);
  assert(resp && resp.status() === 200, `status ${resp && resp.status()}`);
  const sec = await resp.securityDetails();
  assert(sec, 'no security details: not HTTPS?');
  assert(sec.protocol === 'TLS 1.2', `protocol ${sec.protocol}`);
  assert(sec.issuer === 'kiln test CA', `issuer ${sec.issuer}`);
  assert(sec.subjectName === 'ecdsa.kiln.test', `subject ${sec.subjectName}`);
  const headers = resp.headers();
  assert(headers['strict-transport-security'] === 'max-age=300', JSON.stringify(headers));
  assert(/^(br|zstd|gzip)$/.test(headers['content-encoding'] || ''),
    `content-encoding ${headers['content-encoding']}`);
});

test('its stylesheet, scripts and images arrive over the same TLS (integrity checked)', async () => {
  const { page } = trusted;
  const failed = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure().errorText}`));
  await page.reload({ waitUntil: 'load' });
  const state = await page.evaluate(() => ({
    sheets: [...document.styleSheets].filter((s) => s.href && s.cssRules.length > 0).length,
    images: [...document.images].filter((i) => i.complete && i.naturalWidth > 0).length,
    allImages: document.images.length,
    secure: window.isSecureContext,
  }));
  assert(failed.length === 0, `failed requests: ${failed.join(', ')}`);
  assert(state.sheets >= 1, `stylesheets with rules: ${state.sheets}`);
  assert(state.allImages === 0 || state.images >= 1, `images decoded: ${state.images}`);
  assert(state.secure, 'not a secure context');
});

test('a second page and the service worker work over HTTPS', async () => {
  const { page } = trusted;
  const ready = await page.evaluate(async () => {
    if (!('serviceWorker' in navigator)) return 'no serviceWorker';
    const reg = await Promise.race([navigator.serviceWorker.ready,
      new Promise((r) => setTimeout(() => r(null), 10000))]);
    return reg && reg.active ? 'active' : 'not active';
  });
  assert(ready === 'active', `service worker: ${ready}`);
  const links = await page.$$eval('a[href$=".html"]', (as) => as.map((a) => a.href));
  const other = links.find((h) => h.startsWith(origin()) && !h.endsWith('/index.html'));
  if (other) {
    const resp = await page.goto(other);
    assert(resp.status() === 200 || resp.status() === 304 || resp.fromServiceWorker(),
      `${other}: ${resp.status()}`);
  }
});

test('http:// on the redirect listener lands on the HTTPS page', async () => {
  const { page } = trusted;
  const resp = await page.goto(`http://localhost:${redirectPort}/index.html?from=http`);
  assert(page.url() === `${origin()}/index.html?from=http`, `landed on ${page.url()}`);
  assert(resp && (resp.status() === 200 || resp.fromServiceWorker()), `status ${resp && resp.status()}`);
});

test('without the test CA the browser refuses the certificate', async () => {
  const { context, page } = await browser('untrusted', false);
  try {
    let error = '';
    try {
      await page.goto(`${origin()}/`);
    } catch (e) {
      error = e.message;
    }
    assert(/ERR_CERT_AUTHORITY_INVALID/.test(error), `expected a certificate error, got: ${error}`);
  } finally {
    await context.close();
  }
});

async function main() {
  const failed = await runTap(tests, async () => {
    run('sh', [path.join(ROOT, 'tests/tls/make-test-certs.sh'), CERTS]);
    const out = path.join(TMP, 'release');
    run(KILN_BUILD, ['-q', '--no-cache', '-o', out,
      path.join(ROOT, 'site-example')]);
    await startEdge(out);
    trusted = await browser('trusted', true);
  });
  if (trusted) await trusted.context.close().catch(() => {});
  if (edge) {
    await terminate(edge);
  }
  fs.rmSync(TMP, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
