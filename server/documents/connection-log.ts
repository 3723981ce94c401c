// Hocuspocus extension: one structured log line per connection lifecycle event, with the document name.
import type { Extension, connectedPayload, onDisconnectPayload } from '@hocuspocus/server';
import type { Logger } from '../log.ts';

export class ConnectionLog implements Extension {
  readonly extensionName = 'tandem-connection-log';
  #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  async connected({ documentName, socketId, connection }: connectedPayload): Promise<void> {
    this.#log.info({ doc: documentName, socketId, readOnly: connection.readOnly }, 'client connected');
  }

  async onDisconnect({ documentName, socketId, clientsCount }: onDisconnectPayload): Promise<void> {
    this.#log.info({ doc: documentName, socketId, clientsLeft: clientsCount }, 'client disconnected');
  }
}
