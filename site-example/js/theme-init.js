/*
 * Kiln Bakery: theme bootstrap.
 *
 * A classic (non-module) script, loaded synchronously in <head> so that it runs
 * before the first paint: it reads the visitor's saved theme and sets
 * data-theme on <html>, so a dark-theme visitor never sees a flash of the light
 * page. Keep it tiny and dependency-free; the toggle button itself is wired up
 * later by js/main.js.
 */
(function () {
  'use strict';
  var KEY = 'kiln-theme';
  var theme = null;
  try {
    theme = window.localStorage.getItem(KEY);
  } catch (e) {
    // Storage can be disabled (private mode, strict cookie settings); fall
    // through to the system preference.
  }
  if (theme !== 'light' && theme !== 'dark') {
    var mq = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)');
    theme = mq && mq.matches ? 'dark' : 'light';
  }
  document.documentElement.setAttribute('data-theme', theme);
})();
