// The staff console: built into console/dist (hashed, one chunk per page), served by the server at
// /console (src/console/). `npm run build:console`.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The budget is checked by `npm run bench:console`, not by a warning here.
    chunkSizeWarningLimit: 2000,
    // Which files each page loads, for the benchmark's budget (console/dist/.vite/manifest.json).
    manifest: true,
  },
});
