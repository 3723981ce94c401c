// The editor's static files without its server: what a cache or CDN still serves while Tandem is down.
import { createServer } from 'node:http';

/** Path → file, for index.html (under "/") and the assets it references. */
export type AppShell = Map<string, { body: Buffer; contentType: string }>;

/**
 * Serves only index.html and its assets on the stopped server's port, as a CDN or cache would while the
 * collaboration server is down; WebSocket upgrades go unanswered. Same origin, so the same IndexedDB.
 */
export async function serveAppShellOnly(port: number, shell: AppShell): Promise<() => Promise<void>> {
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://shell').pathname;
    const file = shell.get(path.startsWith('/d/') ? '/' : path);
    response.writeHead(file ? 200 : 404, { 'content-type': file?.contentType ?? 'text/plain' });
    response.end(file?.body ?? 'not found');
  });
  http.on('upgrade', (_request, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(port, '127.0.0.1', resolve));
  return () =>
    new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
}

/** index.html and its assets, fetched while the server is up. */
export async function captureAppShell(baseUrl: string): Promise<AppShell> {
  const shell: AppShell = new Map();
  const index = await fetch(`${baseUrl}/`);
  const html = await index.text();
  shell.set('/', { body: Buffer.from(html), contentType: 'text/html; charset=utf-8' });
  for (const [, path] of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
    if (path === undefined) continue;
    const response = await fetch(baseUrl + path);
    shell.set(path, { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' });
  }
  return shell;
}
