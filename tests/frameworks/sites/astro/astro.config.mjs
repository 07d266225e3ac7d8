import { defineConfig } from 'astro/config';
import preact from '@astrojs/preact';

// Static output (the default): one directory per page, islands in _astro/.
export default defineConfig({
  integrations: [preact()],
});
