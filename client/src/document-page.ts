// The `/d/<name>` page: header with presence and save status, toolbar, and the shared editor.

import * as Y from 'yjs';
import { DOCUMENT_MOVED, RESTORE_NOTICE, type DocumentMovedNotice, type RestoreNotice } from '../../common/api-types.ts';
import { ACCESS_NOTICE, type AccessNotice, type CommentAction } from '../../common/comments.ts';
import { documentNameProblem } from '../../common/names.ts';
import { accessTokenFromLocation } from './access-token.ts';
import { leaveArrival, takeArrival } from './arrival.ts';
import { createBanner } from './banner.ts';
import { createCommentSender } from './comment-actions-client.ts';
import { CommentHighlights } from './comment-highlights.ts';
import { listenForCommentShortcut } from './comment-shortcut.ts';
import { createCommentsPanel } from './comments-panel.ts';
import { createTopbar } from './chrome.ts';
import { openDocumentConnection } from './connection.ts';
import { h, svg } from './dom.ts';
import { createFileMenu } from './file-menu.ts';
import { createHistoryPanel } from './history-panel.ts';
import { linksApi } from './links-api.ts';
import { createEditor } from './editor.ts';
import { ICONS } from './icons.ts';
import { createIdentityControl } from './identity-control.ts';
import type { Identity } from './identity.ts';
import type { Page } from './page.ts';
import { createNotice } from './notice.ts';
import { createAvatars, peopleFromStates } from './presence.ts';
import { COMMENT_ONLY, deletedProblem, goneFromReason, outdatedEditorProblem, problemFromAuthenticationFailure, problemFromClose, READ_ONLY, SERVER_UNAVAILABLE } from './problems.ts';
import { documentPath } from './route.ts';
import { createShareDialog } from './share-dialog.ts';
import { createStatusBadge } from './status-badge.ts';
import { lockText } from './text-lock.ts';
import { createToolbar } from './toolbar.ts';
import { versionsApi, versionTitle } from './versions-api.ts';

// Quick server restarts should not flash a warning; the badge already says Offline meanwhile.
const UNAVAILABLE_AFTER_MS = 4000;

/** `follow(path)` opens another page in place of this one (the document was renamed: its old address is dead). */
export function mountDocumentPage(root: HTMLElement, name: string, identity: Identity, follow: (path: string) => void): Page {
  document.title = `${name} · Tandem`;
  const problem = documentNameProblem(name);
  if (problem !== null) return mountInvalidName(root, problem);

  const accessToken = accessTokenFromLocation(window.location);
  const connection = openDocumentConnection(name, accessToken);
  const { provider, socket } = connection;
  const arrival = takeArrival(name);
  // Edits the page before the rename held and the server may lack: the provider sends what it does not have.
  if (arrival) Y.applyUpdate(connection.ydoc, arrival.state);
  const banner = createBanner();
  const badge = createStatusBadge(provider, socket);
  const awareness = provider.awareness;
  if (awareness === null) throw new Error('the provider was created without awareness');
  const avatars = createAvatars(awareness);

  const editorHost = h('article', { class: 'sheet' });
  // Set once the panel exists: clicking highlighted text opens its thread there, the caret in it selects it.
  let openThread = (_threadId: string): void => {};
  let caretThread = (_threadId: string | null): void => {};
  const editor = createEditor(editorHost, provider, identity, [CommentHighlights.configure({ onOpenThread: (id) => openThread(id), onCaretThread: (id) => caretThread(id) })]);
  let authorName = identity.name;
  const identityControl = createIdentityControl(identity, (next) => {
    authorName = next.name;
    editor.commands.updateUser({ name: next.name, color: next.color });
  });

  const sidePanel = h('aside', { class: 'side-panel', 'data-testid': 'side-panel', hidden: true });
  const historyToggle = h(
    'button',
    { type: 'button', class: 'button history-toggle', 'aria-expanded': 'false', 'aria-controls': 'history-panel', 'data-testid': 'history-toggle' },
    'History',
  );
  const versions = versionsApi(name, accessToken);
  const notice = createNotice();
  const fileMenu = createFileMenu(name, accessToken, versions, () => authorName, notice.say);
  // An icon beside the word, so a phone's header can show the icon alone (styles.css).
  const commentsToggle = h(
    'button',
    { type: 'button', class: 'button history-toggle comments-toggle', 'aria-label': 'Comments', 'aria-expanded': 'false', 'aria-controls': 'comments-panel', 'data-testid': 'comments-toggle' },
    svg(ICONS.comment),
    h('span', { class: 'comments-toggle__label' }, 'Comments'),
  );
  // How many threads are open, on the button: that there is a discussion shows without opening the panel.
  const commentsCount = h('span', { class: 'comments-toggle__count', 'data-testid': 'comments-count', 'aria-hidden': 'true', hidden: true });
  commentsToggle.append(commentsCount);
  // One panel at a time in the aside: opening one closes the other.
  const history = createHistoryPanel(versions, () => authorName, (open) => {
    if (open && comments.isOpen) comments.close();
    sidePanel.hidden = !open && !comments.isOpen;
    historyToggle.setAttribute('aria-expanded', String(open));
  });
  history.element.id = 'history-panel';
  const commentSender = createCommentSender({
    provider,
    documentName: name,
    author: () => ({ id: identity.id, name: authorName }),
    onRefused: (action, error) => notice.say(`${refusedWhat(action)} was not saved: ${error}.`, 'error'),
  });
  const comments = createCommentsPanel({
    editor,
    ydoc: connection.ydoc,
    sender: commentSender,
    localAuthor: () => ({ id: identity.id, name: authorName }),
    present: () => peopleFromStates(awareness.getStates() as Map<number, Record<string, unknown>>, awareness.clientID).map((person) => person.name),
    awareness,
    onToggle: (open) => {
      if (open && history.isOpen) history.close();
      sidePanel.hidden = !open && !history.isOpen;
      commentsToggle.setAttribute('aria-expanded', String(open));
    },
    onOpenCount: (count) => {
      commentsCount.textContent = String(count);
      commentsCount.hidden = count === 0;
      commentsToggle.setAttribute('aria-label', count === 0 ? 'Comments' : `Comments, ${count} open`);
    },
    say: notice.say,
  });
  comments.element.id = 'comments-panel';
  openThread = comments.openThread;
  caretThread = comments.caretInThread;
  const toolbar = createToolbar(editor, { start: () => comments.startComment(), available: () => comments.available() });
  const stopCommentShortcut = listenForCommentShortcut(() => comments.startComment());
  sidePanel.append(history.element, comments.element);
  historyToggle.addEventListener('click', () => history.toggle());
  commentsToggle.addEventListener('click', () => comments.toggle());

  const share = createShareDialog(name, linksApi(name, accessToken));
  const shareToggle = h('button', { type: 'button', class: 'button share-toggle', 'aria-haspopup': 'dialog', 'data-testid': 'share-toggle' }, 'Share');
  shareToggle.addEventListener('click', () => share.open());

  const title = h('h1', { class: 'doc-title', 'data-testid': 'doc-title', title: name }, name);
  const topbar = createTopbar(
    h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '/'),
    title,
    h('div', { class: 'topbar__spacer' }),
    avatars.element,
    badge.element,
    fileMenu.element,
    shareToggle,
    historyToggle,
    commentsToggle,
    identityControl.element,
    // Where a phone's header starts its second row (styles.css); nothing on wider screens.
    h('div', { class: 'topbar__break', 'aria-hidden': 'true' }),
  );
  // The aside holds the version-history panel, shown by the History button.
  const workspace = h(
    'div',
    { class: 'workspace' },
    h('main', { class: 'editor-column' }, toolbar.element, notice.element, editorHost),
    sidePanel,
  );
  root.replaceChildren(h('div', { class: 'app app--document' }, topbar, banner.element, workspace, share.element));

  // Refusals that would only repeat: say so, stop retrying, and keep the text from being edited in vain.
  const stopForGood = (): void => {
    editor.setEditable(false);
    socket.disconnect();
  };
  // What the access allows, from the server's notice; the comment role's text is read-only too.
  let permission: AccessNotice['permission'] | null = null;
  provider.on('authenticated', ({ scope }: { scope: string }) => {
    const readOnly = scope === 'readonly';
    // Locked, not made uneditable: the caret stays, so a reader or commenter can select with the keyboard.
    lockText(editor, readOnly);
    if (readOnly) banner.setLasting(permission === 'comment' ? COMMENT_ONLY : READ_ONLY);
  });
  // The document was renamed: open it under its new name, with this page's text (and a line saying why).
  const followRename = (to: string, message: string): void => {
    const { from, to: end } = editor.state.selection;
    leaveArrival({ name: to, message, state: Y.encodeStateAsUpdate(connection.ydoc), selection: editor.isFocused ? { from, to: end } : null });
    // The text is under the new name now (and goes there with the arrival): the old copy would only go stale.
    void connection.localCopy.clearData();
    follow(documentPath(to) + window.location.search + window.location.hash);
  };
  const gone = (by: string | null, until: string | null): void => {
    banner.setLasting(deletedProblem(by, until));
    stopForGood();
    // Kept, the copy would merge into a new document made under this name later. A restore brings the text back.
    void connection.localCopy.clearData();
  };
  provider.on('authenticationFailed', ({ reason }: { reason: string }) => {
    const goneTo = goneFromReason(reason);
    if (goneTo?.renamedTo) return followRename(goneTo.renamedTo, `“${name}” was renamed to “${goneTo.renamedTo}” while you were away.`);
    if (goneTo) return gone(null, null);
    banner.setLasting(outdatedEditorProblem(reason) ?? problemFromAuthenticationFailure(reason));
    stopForGood();
  });
  provider.on('close', ({ event }: { event: { code: number; reason: string } }) => {
    const closeProblem = problemFromClose(event.code, event.reason);
    if (closeProblem === null) return;
    if (closeProblem.final) {
      banner.setLasting(closeProblem);
      if (closeProblem.kind === 'access-denied') stopForGood();
      else socket.disconnect();
    } else {
      banner.setPassing(closeProblem);
    }
  });

  provider.on('stateless', ({ payload }: { payload: string }) => {
    const message = statelessMessage(payload);
    if (message?.type === ACCESS_NOTICE) {
      const access = message as AccessNotice;
      permission = access.permission;
      if (permission === 'comment') banner.setLasting(COMMENT_ONLY);
      comments.setAccess(access);
      toolbar.refresh();
      // What the server would refuse is not offered: History, sharing, import and copies are admin's.
      const admin = permission === 'admin';
      historyToggle.hidden = shareToggle.hidden = !admin;
      fileMenu.setAdmin(admin);
      if (!admin && history.isOpen) history.close();
    } else if (message?.type === RESTORE_NOTICE) {
      const restore = message as RestoreNotice;
      notice.say(`${restore.author ?? 'Someone'} restored “${versionTitle(restore.version)}”. The text before is in History.`, 'info');
    } else if (message?.type === DOCUMENT_MOVED) {
      const moved = message as DocumentMovedNotice;
      const who = moved.by === 'anonymous' ? 'Someone' : moved.by;
      if (moved.kind === 'renamed' && moved.to) followRename(moved.to, `${who} renamed “${name}” to “${moved.to}”.`);
      else gone(moved.by, moved.restorableUntil);
    }
  });
  if (arrival) {
    notice.say(arrival.message, 'info');
    const selection = arrival.selection;
    if (selection) {
      const size = editor.state.doc.content.size;
      editor.chain().focus().setTextSelection({ from: Math.min(selection.from, size), to: Math.min(selection.to, size) }).run();
    }
  }

  let unavailableTimer: ReturnType<typeof setTimeout> | undefined;
  badge.onChange((status) => {
    clearTimeout(unavailableTimer);
    if (status === 'offline') {
      unavailableTimer = setTimeout(() => banner.setPassing(SERVER_UNAVAILABLE), UNAVAILABLE_AFTER_MS);
    } else if (status === 'saved' || status === 'saving') {
      banner.setPassing(null);
    }
  });

  return {
    dispose() {
      clearTimeout(unavailableTimer);
      history.dispose();
      stopCommentShortcut();
      comments.dispose();
      commentSender.dispose();
      share.dispose();
      fileMenu.dispose();
      notice.dispose();
      toolbar.dispose();
      avatars.dispose();
      badge.dispose();
      editor.destroy();
      connection.close();
    },
  };
}

function mountInvalidName(root: HTMLElement, problem: string): Page {
  const banner = createBanner();
  banner.setLasting({
    kind: 'closed',
    message: `This link does not name a valid document: ${problem}.`,
    tone: 'error',
    final: true,
  });
  root.replaceChildren(
    h(
      'div',
      { class: 'app' },
      createTopbar(),
      banner.element,
      h('main', { class: 'container' }, h('p', {}, h('a', { href: '/' }, 'Back to all documents'))),
    ),
  );
  return { dispose() {} };
}

/** A refused comment action, in the notice line's words. */
function refusedWhat(action: CommentAction): string {
  switch (action.action) {
    case 'create': return 'Your comment';
    case 'reply': return 'Your reply';
    case 'edit': return 'Your edit to a comment';
    case 'delete': return 'Deleting a comment';
    case 'resolve': return action.resolved ? 'Resolving a thread' : 'Reopening a thread';
  }
}

/** The typed message a stateless payload carries (a restore, a move), or null for anything else. */
function statelessMessage(payload: string): { type: string } | null {
  try {
    const message = JSON.parse(payload) as { type?: unknown } | null;
    return typeof message?.type === 'string' ? (message as { type: string }) : null;
  } catch {
    return null;
  }
}
