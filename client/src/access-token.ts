// The access token a link may carry (`?token=…`), sent to the server when opening documents and lists.

export function accessTokenFromLocation(location: Pick<Location, 'search'>): string | null {
  const token = new URLSearchParams(location.search).get('token');
  return token === null || token === '' ? null : token;
}
