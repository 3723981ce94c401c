// Hocuspocus extension: takes automatic versions after a stretch of editing or an idle gap, then thins old ones.
import type { Extension, beforeUnloadDocumentPayload, onChangePayload } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { isCommentChange } from '../comments/comment-origin.ts';
import type { Logger } from '../log.ts';
import type { VersionStore } from '../storage/version-store.ts';
import { versionsToThin } from './retention.ts';
import { VERSIONS_CONTEXT, type Versions } from './versions.ts';

export interface AutoVersionPolicy {
  /** A version after this many updates since the last one. */
  afterUpdates: number;
  /** A version once edits have gone on this long since the last one. */
  afterMs: number;
  /** A version once nobody has edited for this long. */
  idleMs: number;
}

interface Activity {
  document: Y.Doc;
  updates: number;
  firstChangeAt: number;
  lastChangeAt: number;
  /** Armed at the first change; re-armed when it fires early, rather than reset on every update. */
  idleTimer: NodeJS.Timeout | undefined;
  taking: Promise<void> | null;
}

export class AutoVersions implements Extension {
  readonly extensionName = 'tandem-auto-versions';
  // After persistence (1000): a version is only taken of content that is being stored.
  readonly priority = 50;

  #versions: Versions;
  #store: VersionStore;
  #policy: AutoVersionPolicy;
  #log: Logger;
  #active = new Map<string, Activity>();
  #now: () => number;

  constructor(options: { versions: Versions; store: VersionStore; policy: AutoVersionPolicy; log: Logger; now?: () => number }) {
    this.#versions = options.versions;
    this.#store = options.store;
    this.#policy = options.policy;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  async onChange({ documentName, document, context, transactionOrigin }: onChangePayload): Promise<void> {
    // Imports and restores record their own versions; comments are not edits of the text.
    if ((context as { source?: unknown } | undefined)?.source === VERSIONS_CONTEXT.source || isCommentChange(transactionOrigin)) return;
    let activity = this.#active.get(documentName);
    if (activity && activity.document !== document) {
      clearTimeout(activity.idleTimer);
      activity = undefined;
    }
    const now = this.#now();
    if (!activity) {
      activity = { document, updates: 0, firstChangeAt: now, lastChangeAt: now, idleTimer: undefined, taking: null };
      this.#active.set(documentName, activity);
      this.#armIdleTimer(documentName, activity, this.#policy.idleMs);
    }
    activity.updates += 1;
    activity.lastChangeAt = now;
    if (activity.updates >= this.#policy.afterUpdates) void this.#take(documentName, activity, 'updates');
    else if (now - activity.firstChangeAt >= this.#policy.afterMs) void this.#take(documentName, activity, 'time');
  }

  // One timer per stretch of editing: a timer reset on every update cost a Timeout object per update.
  #armIdleTimer(documentName: string, activity: Activity, delayMs: number): void {
    activity.idleTimer = setTimeout(() => {
      const idleFor = this.#now() - activity.lastChangeAt;
      if (idleFor >= this.#policy.idleMs) void this.#take(documentName, activity, 'idle');
      else if (this.#active.get(documentName) === activity) this.#armIdleTimer(documentName, activity, this.#policy.idleMs - idleFor);
    }, delayMs).unref();
  }

  /** Edits not yet in a version get one before the document leaves memory. */
  async beforeUnloadDocument({ documentName, document }: beforeUnloadDocumentPayload): Promise<void> {
    const activity = this.#active.get(documentName);
    if (activity && activity.document === document) await this.#take(documentName, activity, 'unload');
  }

  /** Stops the timers (shutdown); pending versions are finished first. */
  async close(): Promise<void> {
    const pending = [...this.#active.entries()].map(([name, activity]) => this.#take(name, activity, 'shutdown'));
    await Promise.all(pending);
  }

  #take(documentName: string, activity: Activity, reason: string): Promise<void> {
    if (this.#active.get(documentName) !== activity) return activity.taking ?? Promise.resolve();
    this.#active.delete(documentName);
    clearTimeout(activity.idleTimer);
    if (activity.document.isDestroyed) return Promise.resolve();
    activity.taking = (async () => {
      try {
        const version = await this.#versions.capture(documentName, activity.document, { kind: 'auto', label: '', author: null });
        this.#log.debug({ doc: documentName, version: version.id, reason, updates: activity.updates }, 'automatic version taken');
        for (const id of versionsToThin(await this.#store.list(documentName), this.#now())) {
          await this.#store.delete(documentName, id);
        }
      } catch (error) {
        this.#log.error({ doc: documentName, err: error, reason }, 'automatic version failed');
      }
    })();
    return activity.taking;
  }
}
