// Registers the service worker (client/public/sw.js) that keeps the page itself, so a reload works while the server is down.

/** Production builds only: in development Vite serves changing, unhashed modules that must not be cached. */
export function registerOfflineShell(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => {
    // The editor works without it; only a reload while the server is down would then fail.
    console.warn('Tandem could not install its offline page; reloading without the server will not work.', error);
  });
}
