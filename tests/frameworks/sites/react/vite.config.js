import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// assetsInlineLimit 0: the route's SVG is a file of its own, named only by a
// string in the route's chunk (as any image over 4 KiB would be).
export default defineConfig({
  plugins: [react()],
  build: { assetsInlineLimit: 0 },
});
