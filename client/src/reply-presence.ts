// Who is writing a reply to which thread: each page puts the thread it is replying to in its awareness state
// (`replying`), and every page shows the others' under the thread ("Ada is replying…"). Presence only: nothing
// of it is stored, and a closed page's state goes with its awareness.
import type { Awareness } from 'y-protocols/awareness';

/** The awareness field: the id of the thread being replied to, or null. */
export const REPLYING_FIELD = 'replying';

/** The thread this page says it is replying to, or null. */
export function replyingTo(awareness: Awareness): string | null {
  const threadId = awareness.getLocalState()?.[REPLYING_FIELD];
  return typeof threadId === 'string' ? threadId : null;
}

export function setReplying(awareness: Awareness, threadId: string | null): void {
  if (replyingTo(awareness) !== threadId) awareness.setLocalStateField(REPLYING_FIELD, threadId);
}

/** The names of the others replying to each thread, sorted; states without a usable name or thread are skipped. */
export function repliersByThread(states: ReadonlyMap<number, Record<string, unknown>>, selfId: number): Map<string, string[]> {
  const byThread = new Map<string, Set<string>>();
  for (const [clientId, state] of states) {
    const threadId = state[REPLYING_FIELD];
    const name = (state['user'] as { name?: unknown } | undefined)?.name;
    if (clientId === selfId || typeof threadId !== 'string' || typeof name !== 'string' || name.trim() === '') continue;
    byThread.set(threadId, (byThread.get(threadId) ?? new Set()).add(name));
  }
  return new Map([...byThread].map(([threadId, names]) => [threadId, [...names].sort((a, b) => a.localeCompare(b))]));
}

/** "Ada is replying…", "Ada and Grace are replying…", "Ada, Grace and 2 others are replying…"; '' for nobody. */
export function replyingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is replying…`;
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are replying…`;
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others are replying…`;
}
