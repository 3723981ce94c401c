// The comment threads a version had, shown small and read-only under its History preview: the passage (or
// that its text was gone), the first comment, how many replies, resolved or open.
import { h } from './dom.ts';
import type { VersionThread } from './versions-api.ts';

export function versionThreadsView(threads: readonly VersionThread[]): HTMLElement {
  if (threads.length === 0) return h('p', { class: 'history__none', 'data-testid': 'version-threads' }, 'No comments in this version.');
  return h('ul', { class: 'version-threads', 'data-testid': 'version-threads' }, ...threads.map(threadItem));
}

function threadItem(thread: VersionThread): HTMLElement {
  const first = thread.comments[0];
  const replies = thread.comments.length - 1;
  const detached = thread.anchored?.state === 'detached';
  const passage = thread.anchored === null ? null : detached ? thread.quote : thread.anchored.text || thread.quote;
  return h(
    'li',
    { class: 'version-thread', 'data-testid': 'version-thread', 'data-resolved': String(thread.resolved) },
    detached ? h('span', { class: 'version-thread__meta' }, 'Its text was deleted in this version') : null,
    passage ? h('blockquote', { class: 'comment-thread__quote-text' }, passage) : null,
    first ? h('span', {}, h('strong', {}, `${first.author.name}: `), first.deleted ? 'Comment deleted' : first.body) : null,
    h(
      'span',
      { class: 'version-thread__meta' },
      [replies === 1 ? '1 reply' : `${replies} replies`, thread.resolved ? 'Resolved' : 'Open'].join(' · '),
    ),
  );
}
