// What the browser tests share: where the programs are, the flags Chromium
// runs with, run() for a command, a free port,
// assert, sleep and until for their checks,
// and the TAP runner (tests run in order, each may rely on the ones before,
// as a visitor's story does; a setup that fails fails them all).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/* The repository and the programs under test (tests/run.sh sets the last
 * three; by hand, the sanitizer builds). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KILN_BUILD = process.env.KILN_BUILD || path.join(ROOT, 'build/asan/bin/kiln-build');
export const KILN_EDGE = process.env.KILN_EDGE || path.join(ROOT, 'build/asan/bin/kiln-edge');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/* Runs cmd synchronously; its stdout, or an Error with its stderr. */
export function run(cmd, args) {
  const p = spawnSync(cmd, args, { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`${cmd} exited ${p.status}: ${p.stderr}`);
  return p.stdout;
}

/* Headless Debian chromium, as the issue prescribes, with a fresh profile
 * given by the caller. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/* An NSS database under home, where Chromium (run with HOME=home) reads the
 * certificates it trusts; with caCrt, the test CA is trusted in it. */
export function nssTrust(home, caCrt) {
  const db = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(db, { recursive: true });
  run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  if (caCrt)
    run('certutil', ['-A', '-d', `sql:${db}`, '-t', 'C,,', '-n', 'kiln test CA', '-i', caCrt]);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function printStack(e) {
  for (const l of String((e && e.stack) || e).split('\n')) console.log('#   ' + l);
}

/* Prints "ok N - name" / "not ok N - name" with the stack, then "1..N", and
 * returns the number of failures. */
export async function runTap(tests, setup) {
  try {
    await setup();
  } catch (e) {
    console.log(`not ok 1 - setup: ${String(e.message || e).split('\n')[0]}`);
    printStack(e);
    console.log(`1..${tests.length}`);
    return tests.length;
  }
  let failed = 0;
  let n = 0;
  for (const t of tests) {
    n++;
    try {
      await t.fn();
      console.log(`ok ${n} - ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${n} - ${t.name}`);
      printStack(e);
    }
  }
  console.log(`1..${tests.length}`);
  return failed;
}

/* ---- what every browser test's checks use -------------------------------- */

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
/* Polls fn until it returns something truthy, which it resolves to; throws
 * "timed out waiting for WHAT" after ms. */
export async function until(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/* Sends child SIGTERM and resolves once it has exited (at once if it has). */
export function terminate(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return done;
}
