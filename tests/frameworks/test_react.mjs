// A Vite 8 + React 19 + react-router SPA (3 React.lazy routes, one with a lazy
// CSS file and an SVG) through kiln-build: the same text and styles by full
// load (deep URLs through --spa-fallback) and by client-side links, online and
// offline.
import { namesKept, runSite } from './lib.mjs';

process.exitCode = await runSite({
  name: 'react',
  content: '#root',
  spaFallback: '/index.html',
  /* The route's CSS applies and its image loads ('pending' until it is done). */
  probe: () => {
    const styled = document.querySelector('.styled');
    const img = document.getElementById('logo');
    return {
      styled: styled ? getComputedStyle(styled).color : null,
      logo: img ? (img.complete ? img.naturalWidth > 0 : 'pending') : null,
    };
  },
  pages: [
    { path: '/', marker: 'page-marker: home' },
    { path: '/about', marker: 'page-marker: about' },
    { path: '/contact', marker: 'page-marker: contact' },
  ],
  navs: [
    { from: '/', click: 'nav a[href="/about"]', marker: 'page-marker: about' },
    { from: '/about', click: 'nav a[href="/contact"]', marker: 'page-marker: contact' },
    { from: '/contact', click: 'nav a[href="/"]', marker: 'page-marker: home' },
    { from: '/contact', click: 'nav a[href="/about"]', marker: 'page-marker: about' },
  ],
  checks: [namesKept('assets')],
});
