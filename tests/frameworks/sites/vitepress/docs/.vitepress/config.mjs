import { defineConfig } from 'vitepress';

// A docs site as VitePress's own template makes it: a nav, a sidebar, the
// default theme (its fonts, its lean page chunks, its hash map).
export default defineConfig({
  title: 'Kiln Docs',
  description: 'A VitePress site that tests/frameworks passes through kiln-build',
  outDir: '../dist',
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/' },
      { text: 'Reference', link: '/reference/api' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: [
          { text: 'Introduction', link: '/guide/' },
          { text: 'Getting started', link: '/guide/getting-started' },
          { text: 'Configuration', link: '/guide/configuration' },
        ],
      },
      {
        text: 'Reference',
        items: [{ text: 'API', link: '/reference/api' }],
      },
    ],
  },
});
