// A VitePress 1.6 docs site (5 pages, a nav, a sidebar) through kiln-build:
// the same text by full load and by VitePress's router, online and offline.
import { namesKept, runSite } from './lib.mjs';

process.exitCode = await runSite({
  name: 'vitepress',
  content: '#VPContent',
  pages: [
    { path: '/', marker: 'page-marker: home' },
    { path: '/guide/', marker: 'page-marker: guide-intro' },
    { path: '/guide/getting-started.html', marker: 'page-marker: getting-started' },
    { path: '/guide/configuration.html', marker: 'page-marker: configuration' },
    { path: '/reference/api.html', marker: 'page-marker: reference-api' },
  ],
  navs: [
    { from: '/', click: '.VPNavBarMenuLink[href="/guide/"]', marker: 'page-marker: guide-intro' },
    { from: '/', click: '.VPHero a[href="/guide/getting-started.html"]',
      marker: 'page-marker: getting-started' },
    { from: '/guide/', click: '.VPSidebar a[href="/guide/configuration.html"]',
      marker: 'page-marker: configuration' },
    { from: '/guide/configuration.html', click: '.VPNavBarMenuLink[href="/reference/api.html"]',
      marker: 'page-marker: reference-api' },
    { from: '/reference/api.html', click: '.vp-doc a[href="./../guide/"]',
      marker: 'page-marker: guide-intro' },
  ],
  checks: [
    namesKept('assets', (f) => !f.endsWith('.map')),
  ],
});
