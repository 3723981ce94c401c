// Vite build and dev-server settings for the browser client (root = client/, output = client/dist).
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
// The dev server forwards API calls and the collaboration socket to a Tandem server started separately.
const serverOrigin = `http://127.0.0.1:${process.env.TANDEM_PORT ?? 1234}`;

/**
 * Tandem serves only pages on its own origin (its Host). `changeOrigin` rewrites Host to the server's, but
 * the browser's Origin stays the dev server's (http://localhost:5173), which Tandem would refuse. So the
 * proxy presents the dev page as Tandem's own, and only the dev page: a request whose Origin is some other
 * site's goes through unchanged and is refused, as it would be without the proxy. (Vite's own
 * `rewriteWsOrigin` rewrites every Origin, which would open Tandem to any page through the proxy.)
 */
function presentDevPageAsOwnOrigin(proxy: Parameters<NonNullable<ProxyOptions['configure']>>[0]): void {
  const rewrite = (proxyRequest: { setHeader(name: string, value: string): unknown }, request: IncomingMessage) => {
    const { origin, host } = request.headers;
    if (origin !== undefined && host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) {
      proxyRequest.setHeader('origin', serverOrigin);
    }
  };
  proxy.on('proxyReq', (proxyRequest, request) => rewrite(proxyRequest, request));
  proxy.on('proxyReqWs', (proxyRequest, request) => rewrite(proxyRequest, request));
}

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
      '/api': { target: serverOrigin, changeOrigin: true, configure: presentDevPageAsOwnOrigin },
      '/collab': { target: serverOrigin, ws: true, changeOrigin: true, configure: presentDevPageAsOwnOrigin },
    },
  },
});
