// A box to write a comment in: Enter sends, Shift+Enter starts a new line, Escape cancels; @ suggests people.
import { MAX_COMMENT_LENGTH } from '../../common/comments.ts';
import { h } from './dom.ts';
import { attachMentionSuggestions } from './mention-suggestions.ts';

export interface CommentComposer {
  element: HTMLElement;
  textarea: HTMLTextAreaElement;
  focus(): void;
}

export interface ComposerOptions {
  label: string;
  placeholder: string;
  submitLabel: string;
  initial?: string;
  testId: string;
  people: () => readonly string[];
  onSubmit: (body: string) => void;
  /** Escape or Cancel; without it there is no Cancel button and Escape empties the box (an empty one lets it through). */
  onCancel?: () => void;
  /** Whether someone is writing here: text in the box while it has the focus. Called when that changes. */
  onTyping?: (typing: boolean) => void;
}

export function createCommentComposer(options: ComposerOptions): CommentComposer {
  const textarea = h('textarea', {
    class: 'field__input comment-composer__input',
    rows: 2,
    placeholder: options.placeholder,
    'aria-label': options.label,
    maxlength: MAX_COMMENT_LENGTH,
    'data-testid': `${options.testId}-input`,
  });
  textarea.value = options.initial ?? '';
  const mentions = attachMentionSuggestions(textarea, options.people);
  const submit = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': `${options.testId}-send` }, options.submitLabel);
  const cancel = options.onCancel ? h('button', { type: 'button', class: 'button', 'data-testid': `${options.testId}-cancel` }, 'Cancel') : null;
  const form = h('form', { class: 'comment-composer', 'data-testid': options.testId }, textarea, mentions, h('div', { class: 'comment-composer__actions' }, submit, cancel));

  let typing = false;
  const setTyping = (next: boolean): void => {
    if (next === typing) return;
    typing = next;
    options.onTyping?.(next);
  };
  const typingNow = (): void => setTyping(document.activeElement === textarea && textarea.value.trim() !== '');
  textarea.addEventListener('input', typingNow);
  textarea.addEventListener('focus', typingNow);
  textarea.addEventListener('blur', () => setTyping(false));

  const send = (): void => {
    const body = textarea.value.trim();
    if (body === '') return textarea.focus();
    options.onSubmit(body);
    textarea.value = '';
    setTyping(false);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape') {
      // An empty box without Cancel leaves Escape to what holds it (the panel closes).
      if (!options.onCancel && textarea.value === '') return;
      event.preventDefault();
      if (options.onCancel) options.onCancel();
      else textarea.value = '';
      typingNow();
    }
  });
  cancel?.addEventListener('click', () => options.onCancel?.());
  return { element: form, textarea, focus: () => textarea.focus() };
}
