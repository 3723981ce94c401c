// The access token a URL may carry, sent to the server when opening documents and lists: a share link's
// (`#share=…`, in the fragment so it never reaches a server's logs) or a user's (`?token=…`).

export function accessTokenFromLocation(location: Pick<Location, 'search'> & Partial<Pick<Location, 'hash'>>): string | null {
  const shared = new URLSearchParams((location.hash ?? '').replace(/^#/, '')).get('share');
  if (shared !== null && shared !== '') return shared;
  const token = new URLSearchParams(location.search).get('token');
  return token === null || token === '' ? null : token;
}
