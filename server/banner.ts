// The human start-up banner: where to open the editor and where providers connect.
import { isLoopback, type AppUrls } from './app.ts';
import type { Config } from './config.ts';
import { describeStore } from './storage/open-store.ts';

export function printBanner(out: NodeJS.WritableStream, urls: AppUrls, config: Config): void {
  const lines = [
    '',
    '  Tandem is running',
    '',
    config.serveClient ? `  Editor      ${urls.editor}` : '  Editor      (not served: --serve-client off)',
    `  WebSocket   ${urls.websocket}   (@hocuspocus/provider url)`,
    `  y-websocket ${urls.websocket}y   (y-websocket WebsocketProvider serverUrl; the room is the document name)`,
    `  REST API    ${urls.http}/api/documents   (docs/access-control.md for tokens)`,
    `  Health      ${urls.http}/healthz   ${urls.http}/readyz`,
    dataLine(config),
    `  Auth        ${config.auth === 'jwt' ? 'jwt (tokens required)' : 'none (development: every client may edit every document)'}`,
    '',
    isLoopback(config.host)
      ? '  Listening on loopback only; use --host 0.0.0.0 to accept other machines.'
      : `  Listening on ${config.host}.`,
    ...(config.auth === 'none' && !isLoopback(config.host)
      ? [
          '',
          '  !!! WARNING: NO AUTHENTICATION ON A NETWORK ADDRESS !!!',
          `  Anyone who can reach ${config.host} can read and edit every document. Use --auth jwt.`,
        ]
      : []),
    '  Press Ctrl+C to stop.',
    '',
  ];
  out.write(`${lines.join('\n')}\n`);
}

function dataLine(config: Config): string {
  const { kind, location } = describeStore(config);
  return kind === 'postgres'
    ? `  Data        PostgreSQL ${location}   (acknowledged after COMMIT)`
    : `  Data        LevelDB ${location}   (fsync ${config.fsync ? 'on' : 'off'})`;
}
