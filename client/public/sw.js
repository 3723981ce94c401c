// Service worker: keeps the app shell (index.html and its hashed assets) so a page reloads while the server is down.
//
// The document text itself comes from IndexedDB (y-indexeddb); this only makes sure there is a page to show it.
// Only the shell is handled here: /api/* and everything else go straight to the network, and WebSocket
// traffic never reaches a service worker at all.

// Bump when this file's caching changes: activation deletes every other Tandem cache.
const CACHE = 'tandem-shell-v1';
const CACHE_PREFIX = 'tandem-shell-';
// index.html is served for `/` and every `/d/<name>`; it is cached once, under `/`.
const SHELL = '/';

self.addEventListener('install', (event) => {
  // A fixed worker should take over at the next reload, not once every tab has been closed.
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname.startsWith('/d/'))) {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request));
  }
});

/** index.html and the assets it names, fetched afresh. */
async function cacheShell() {
  const cache = await caches.open(CACHE);
  const response = await fetch(SHELL, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`the app shell answered ${response.status}`);
  const html = await response.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
  await cache.addAll(assets);
  await cache.put(SHELL, response);
}

// Network first, so a deployed client shows at once; the cached page only when the server cannot answer.
async function navigation(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(SHELL, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(SHELL);
    if (cached) return cached;
    throw error;
  }
}

// Hashed file names never change content, so a cached copy is always right.
async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
