// Vite build and dev-server settings for the browser client (root = client/, output = client/dist).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
// The dev server forwards API calls and the collaboration socket to a Tandem server started separately.
const serverOrigin = `http://127.0.0.1:${process.env.TANDEM_PORT ?? 1234}`;

export default defineConfig({
  root: clientDir,
  // Absolute asset URLs: the same index.html is served for `/` and for every `/d/<name>`.
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Tiptap, ProseMirror, Yjs and the provider make one ~550 kB chunk that every document page needs anyway.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': { target: serverOrigin, changeOrigin: true },
      '/collab': { target: serverOrigin, ws: true, changeOrigin: true },
    },
  },
});
