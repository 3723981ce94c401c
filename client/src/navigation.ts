// History-API navigation: same-origin link clicks change the page without a reload.

export type NavigationListener = () => void;

/**
 * Pushes a new history entry (or, with `replace`, replaces the current one: a renamed document's old address
 * leads nowhere) and tells the listener to render it.
 */
export function navigate(path: string, listener: NavigationListener, options: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  listener();
}

/**
 * Routes clicks on same-origin links through `navigate`, and back/forward through the listener.
 * Returns a function that removes both handlers.
 */
export function interceptNavigation(listener: NavigationListener): () => void {
  const onClick = (event: MouseEvent): void => {
    // Let the browser handle new-tab and download gestures as it always does.
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.target instanceof Element ? event.target.closest('a') : null;
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    // A link inside the document text is for editing there (the editor places the caret), not for following.
    if (anchor.closest('[contenteditable="true"]')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.pathname + url.search, listener);
  };
  const onPopState = (): void => listener();
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', onPopState);
  return () => {
    document.removeEventListener('click', onClick);
    window.removeEventListener('popstate', onPopState);
  };
}
