// Work on stored documents that must not be open meanwhile (delete, rename, trash): refuses new connections to
// the names, tells the open ones why, closes them, waits until the documents unload, then runs the work.
import type { Extension, onConnectPayload } from '@hocuspocus/server';
import { AppError } from '../errors.ts';
import type { Hub } from './hub.ts';

export class DocumentUnloading implements Extension {
  readonly extensionName = 'tandem-document-unloading';
  // Before loading: a document being moved or deleted must not be loaded again meanwhile.
  readonly priority = 2000;

  /** Names in use by some work, with what is being done to them (for the refusal). */
  #busy = new Map<string, string>();
  #hub: Pick<Hub, 'closeConnections' | 'isResident' | 'document'>;

  constructor(hub: Pick<Hub, 'closeConnections' | 'isResident' | 'document'>) {
    this.#hub = hub;
  }

  async onConnect({ documentName }: onConnectPayload): Promise<void> {
    const doing = this.#busy.get(documentName);
    if (doing !== undefined) throw new AppError('document-unavailable', `document "${documentName}" is being ${doing}`);
  }

  /**
   * Runs `work` once none of `names` is loaded here, refusing connections to them until it settles. `notice`
   * (a stateless message) reaches every editor of its document before their connections close. Refused (503)
   * while another such work holds one of the names.
   */
  async whileUnloaded<T>(
    names: readonly string[],
    doing: string,
    work: () => Promise<T>,
    options: { notice?: { name: string; message: string }; timeoutMs?: number } = {},
  ): Promise<T> {
    const taken = names.find((name) => this.#busy.has(name));
    if (taken !== undefined) throw new AppError('document-unavailable', `document "${taken}" is being ${this.#busy.get(taken)}; try again`);
    for (const name of names) this.#busy.set(name, doing);
    try {
      // Sent before the close on the same sockets (relays of a cluster included), so it arrives first.
      if (options.notice) this.#hub.document(options.notice.name)?.broadcastStateless(options.notice.message);
      for (const name of names) this.#hub.closeConnections(name);
      const timeoutMs = options.timeoutMs ?? 5_000;
      const deadline = Date.now() + timeoutMs;
      for (const name of names) {
        while (this.#hub.isResident(name)) {
          if (Date.now() > deadline) throw new AppError('document-unavailable', `document "${name}" did not unload within ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      return await work();
    } finally {
      for (const name of names) this.#busy.delete(name);
    }
  }
}
