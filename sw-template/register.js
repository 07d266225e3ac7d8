/*
 * kiln service worker registration: kiln-build fingerprints this file and adds
 * <script src="/kiln-sw-register.HASH.js" defer integrity=...> to each entry
 * document. An external file, not an inline snippet, so a Content-Security-
 * Policy of script-src 'self' needs no hash and no nonce.
 *
 * The page's API (window.kilnSW):
 *   kilnSW.onUpdate(cb)     cb({release}) when a new release's worker waits
 *   kilnSW.activate(opts)   ask the waiting worker to take over (SKIP_WAITING);
 *                           resolves once it controls the page, then reloads
 *                           unless opts.reload === false
 *   kilnSW.ready            a promise of the ServiceWorkerRegistration
 * and a "kiln-sw-update" event on window with the same detail as onUpdate.
 *
 * Injection point: kiln-build replaces the one identifier KILN_REGISTER in
 * double underscores (see OPTS below) with {url, scope}.
 */
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  var OPTS = __KILN_REGISTER__;
  var sw = navigator.serviceWorker;
  var listeners = [];
  var waiting = null;
  var resolveReady;
  var api = {
    ready: new Promise(function (r) {
      resolveReady = r;
    }),
    onUpdate: function (cb) {
      listeners.push(cb);
      if (waiting) cb({ worker: waiting });
    },
    activate: function (opts) {
      var reload = !opts || opts.reload !== false;
      return new Promise(function (resolve) {
        if (!waiting) return resolve(false);
        sw.addEventListener('controllerchange', function () {
          resolve(true);
          if (reload) location.reload();
        }, { once: true });
        waiting.postMessage({ type: 'SKIP_WAITING' });
      });
    },
  };
  window.kilnSW = api;

  function announce(worker) {
    waiting = worker;
    var detail = { worker: worker };
    window.dispatchEvent(new CustomEvent('kiln-sw-update', { detail: detail }));
    listeners.forEach(function (cb) {
      cb(detail);
    });
  }

  /* A new worker that installed while an older one controls this page is an
   * update; the very first install is not. */
  function watch(reg) {
    if (reg.waiting && sw.controller) announce(reg.waiting);
    reg.addEventListener('updatefound', function () {
      var w = reg.installing;
      if (!w) return;
      w.addEventListener('statechange', function () {
        if (w.state === 'installed' && sw.controller) announce(w);
      });
    });
  }

  /* Lazy chunks are fetched when the page has nothing better to do. */
  function idle(fn) {
    if ('requestIdleCallback' in window) requestIdleCallback(fn, { timeout: 5000 });
    else setTimeout(fn, 2000);
  }

  function start() {
    sw.register(OPTS.url, { scope: OPTS.scope }).then(function (reg) {
      watch(reg);
      resolveReady(reg);
      sw.ready.then(function (r) {
        idle(function () {
          if (r.active) r.active.postMessage({ type: 'WARM' });
        });
      });
    }, function (err) {
      console.warn('kiln: service worker registration failed', err);
    });
  }

  /* After load: installing the worker must not compete with the page's own
   * requests. */
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start);
})();
