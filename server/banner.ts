// The human start-up banner: where to open the editor and where providers connect.
import type { AppUrls } from './app.ts';
import type { Config } from './config.ts';

export function printBanner(out: NodeJS.WritableStream, urls: AppUrls, config: Config): void {
  const lines = [
    '',
    '  Tandem is running',
    '',
    config.serveClient ? `  Editor      ${urls.editor}` : '  Editor      (not served: --serve-client off)',
    `  WebSocket   ${urls.websocket}   (@hocuspocus/provider url)`,
    `  Health      ${urls.http}/healthz   ${urls.http}/readyz`,
    `  Data        ${config.dataDir}   (fsync ${config.fsync ? 'on' : 'off'})`,
    '',
    config.host === '127.0.0.1' || config.host === 'localhost' || config.host === '::1'
      ? '  Listening on loopback only; use --host 0.0.0.0 to accept other machines.'
      : `  Listening on ${config.host}.`,
    '  Press Ctrl+C to stop.',
    '',
  ];
  out.write(`${lines.join('\n')}\n`);
}
