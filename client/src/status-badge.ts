// The save badge: follows the provider's connection and acknowledgement events and shows `saveStatus`.

import type { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { h } from './dom.ts';
import { SAVE_STATUS_TEXT, saveStatus, type SaveStatus, type SocketStatus, type SyncFacts } from './save-status.ts';

export interface StatusBadge {
  element: HTMLElement;
  /** Current status, for callers that react to it (e.g. the "server unavailable" banner). */
  readonly status: SaveStatus;
  onChange(listener: (status: SaveStatus) => void): void;
  dispose(): void;
}

export function createStatusBadge(
  provider: HocuspocusProvider,
  socket: HocuspocusProviderWebsocket,
): StatusBadge {
  const label = h('span', { class: 'badge__label' });
  const detail = h('span', { class: 'badge__detail' });
  const element = h(
    'span',
    { class: 'badge', 'data-testid': 'status', role: 'status', 'aria-live': 'polite' },
    h('span', { class: 'badge__dot', 'aria-hidden': 'true' }),
    label,
    detail,
  );

  const facts: SyncFacts = {
    socket: socket.status as SocketStatus,
    synced: provider.synced,
    unsyncedChanges: provider.unsyncedChanges,
    everSynced: provider.synced,
    everDisconnected: false,
  };
  let status: SaveStatus | null = null;
  const listeners: Array<(status: SaveStatus) => void> = [];

  const render = (): void => {
    facts.synced = provider.synced;
    facts.unsyncedChanges = provider.unsyncedChanges;
    if (facts.synced) facts.everSynced = true;
    const next = saveStatus(facts);
    if (next === status) return;
    status = next;
    const text = SAVE_STATUS_TEXT[next];
    element.dataset.status = next;
    label.textContent = text.label;
    detail.textContent = next === 'offline' ? `(${text.detail})` : '';
    element.title = next === 'offline' ? `Offline: ${text.detail}` : text.detail;
    for (const listener of listeners) listener(next);
  };

  const onStatus = ({ status: socketStatus }: { status: string }): void => {
    facts.socket = socketStatus as SocketStatus;
    if (socketStatus === 'disconnected') facts.everDisconnected = true;
    render();
  };
  provider.on('status', onStatus);
  provider.on('synced', render);
  provider.on('unsyncedChanges', render);
  // `synced` drops to false on close without an event of its own.
  provider.on('close', render);
  render();

  return {
    element,
    get status() {
      return status ?? 'connecting';
    },
    onChange(listener) {
      listeners.push(listener);
    },
    dispose() {
      provider.off('status', onStatus);
      provider.off('synced', render);
      provider.off('unsyncedChanges', render);
      provider.off('close', render);
      listeners.length = 0;
    },
  };
}
