import { defineConfig } from 'vite';

// What a backend integration uses (dist/.vite/manifest.json) and what an error
// tracker uses (the .map files); assetsInlineLimit 0 keeps the image a file.
export default defineConfig({
  build: { manifest: true, sourcemap: true, assetsInlineLimit: 0 },
});
