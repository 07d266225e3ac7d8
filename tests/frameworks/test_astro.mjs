// An Astro 5 site (a Preact island, <ClientRouter />, a lazy script) through
// kiln-build: the same text by full load and by ClientRouter navigations, the
// island counts, online and offline.
import { assert, namesKept, runSite, legacyTwins } from './lib.mjs';

/* The island hydrates (Astro drops the island's ssr attribute) and counts. */
function counts(label) {
  return async (page) => {
    const island = page.locator('astro-island:not([ssr]) button.counter');
    try {
      await island.waitFor({ timeout: 8000 });
    } catch {
      throw new Error('the island never hydrated (astro-island keeps its ssr attribute)');
    }
    await island.click({ timeout: 5000 });
    await page.waitForFunction((l) => document.querySelector('button.counter')?.textContent
      .replace(/\s+/g, ' ').trim() === `${l}: 1`, label, { timeout: 5000 }).catch(() => {});
    const text = (await island.textContent()).replace(/\s+/g, ' ').trim();
    assert(text === `${label}: 1`, `after one click the button says "${text}"`);
  };
}

process.exitCode = await runSite({
  name: 'astro',
  content: 'main',
  ready: ['lazy module loaded'],
  /* A page without the island: offline, the island's files must come from
   * the precache, not from what the first page happened to load. */
  firstVisit: '/about/',
  pages: [
    { path: '/', marker: 'page-marker: home' },
    { path: '/about/', marker: 'page-marker: about' },
    { path: '/counter/', marker: 'page-marker: counter' },
    { path: '/blog/first-post/', marker: 'page-marker: first-post' },
  ],
  navs: [
    { from: '/', click: 'nav a[href="/about/"]', marker: 'page-marker: about' },
    { from: '/about/', click: 'main a[href="/counter/"]', marker: 'page-marker: counter' },
    { from: '/counter/', click: 'nav a[href="/blog/first-post/"]', marker: 'page-marker: first-post' },
    { from: '/blog/first-post/', click: 'main a[href="/"]', marker: 'page-marker: home' },
  ],
  interact: [
    { name: 'the island counts when clicked, after a full load', from: '/counter/',
      run: counts('Clicks') },
    { name: 'the island counts when clicked, after a ClientRouter navigation', from: '/about/',
      via: 'main a[href="/counter/"]', to: '/counter/', run: counts('Clicks') },
    { name: 'the home island counts after a ClientRouter navigation back home',
      from: '/blog/first-post/', via: 'main a[href="/"]', to: '/', run: counts('Home count') },
  ],
  checks: [namesKept('_astro'), legacyTwins('index.html')],
});
