// Work on stored documents that must not be open meanwhile (delete, rename, trash): holds new connections to
// the names back, tells the open ones why, closes them, waits until the documents unload, then runs the work.
// The connections held back then go on, and find what the work left: an editor that follows a rename to the
// new name at once gets the moved text, and one reconnecting to the old name is told where it went.
import type { Extension, onConnectPayload } from '@hocuspocus/server';
import { AppError } from '../errors.ts';
import type { Hub } from './hub.ts';

/** How long a connection is held back before it is refused (503-like, 4503): the work is stuck. */
const HOLD_BACK_MS = 10_000;

export class DocumentUnloading implements Extension {
  readonly extensionName = 'tandem-document-unloading';
  // Before loading: a document being moved or deleted must not be loaded again meanwhile.
  readonly priority = 2000;

  /** Names in use by some work: what is being done to them (for a refusal), and when it is over. */
  #busy = new Map<string, { doing: string; over: Promise<void> }>();
  #hub: Pick<Hub, 'closeConnections' | 'isResident' | 'document'>;

  constructor(hub: Pick<Hub, 'closeConnections' | 'isResident' | 'document'>) {
    this.#hub = hub;
  }

  async onConnect({ documentName }: onConnectPayload): Promise<void> {
    const busy = this.#busy.get(documentName);
    if (!busy) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), HOLD_BACK_MS)));
    const outcome = await Promise.race([busy.over.then(() => 'over' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') throw new AppError('document-unavailable', `document "${documentName}" is being ${busy.doing}; try again`);
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
    if (taken !== undefined) throw new AppError('document-unavailable', `document "${taken}" is being ${this.#busy.get(taken)!.doing}; try again`);
    let finish = () => {};
    const over = new Promise<void>((resolve) => (finish = resolve));
    for (const name of names) this.#busy.set(name, { doing, over });
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
      finish();
    }
  }
}
