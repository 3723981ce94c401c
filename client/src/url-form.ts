// A small form beside the text that asks for a URL (a link's, an image's): unlike window.prompt it does not
// block the page, keeps the look of the editor, and can say why an address was refused.

import { h } from './dom.ts';

export interface UrlRequest {
  /** What is asked for, shown as the field's label: "Link address", "Image address". */
  label: string;
  submitLabel: string;
  value?: string;
  placeholder: string;
  /** Why `url` cannot be used, or null when it can. */
  problem(url: string): string | null;
  /** A second, optional text field (an image's description). */
  detail?: { label: string; value?: string };
  /** Where on screen the text it is about is: the form opens below it. */
  anchor: { left: number; bottom: number };
}

export interface UrlAnswer {
  url: string;
  detail: string;
}

export interface UrlForm {
  /** Null when the person cancels (Escape, Cancel, or another request). */
  ask(request: UrlRequest): Promise<UrlAnswer | null>;
  close(): void;
  readonly isOpen: boolean;
  dispose(): void;
}

/** A form positioned inside `container`, which must be the offset parent (`position: relative`). */
export function createUrlForm(container: HTMLElement, onClose: () => void): UrlForm {
  const input = h('input', { type: 'url', class: 'field__input', 'data-testid': 'url-input', autocomplete: 'off', spellcheck: 'false', required: true });
  const detailInput = h('input', { type: 'text', class: 'field__input', 'data-testid': 'url-detail', autocomplete: 'off' });
  const label = h('span', { class: 'url-form__label' });
  const detailLabel = h('span', { class: 'url-form__label' });
  const detailRow = h('label', { class: 'url-form__field' }, detailLabel, detailInput);
  const problem = h('p', { class: 'field__hint field__hint--error', role: 'alert', 'data-testid': 'url-problem' });
  const submit = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'url-submit' });
  const cancel = h('button', { type: 'button', class: 'button', 'data-testid': 'url-cancel' }, 'Cancel');
  const form = h(
    'form',
    { class: 'url-form', 'data-testid': 'url-form', hidden: true, novalidate: true },
    h('label', { class: 'url-form__field' }, label, input),
    detailRow,
    problem,
    h('div', { class: 'url-form__actions' }, cancel, submit),
  );
  container.append(form);

  let pending: { request: UrlRequest; resolve(answer: UrlAnswer | null): void } | null = null;
  // A press anywhere else (the text, the toolbar) means the person moved on. Not on blur: switching windows to
  // copy an address must leave the form open.
  const onPointerDown = (event: PointerEvent): void => {
    if (!(event.target instanceof Node && form.contains(event.target))) finish(null);
  };

  const finish = (answer: UrlAnswer | null): void => {
    const current = pending;
    if (!current) return;
    pending = null;
    document.removeEventListener('pointerdown', onPointerDown, true);
    form.hidden = true;
    current.resolve(answer);
    onClose();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!pending) return;
    const url = input.value.trim();
    const reason = url === '' ? 'Enter an address.' : pending.request.problem(url);
    problem.textContent = reason ?? '';
    if (reason !== null) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    finish({ url, detail: detailInput.value.trim() });
  });
  cancel.addEventListener('click', () => finish(null));
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    finish(null);
  });
  input.addEventListener('input', () => {
    input.removeAttribute('aria-invalid');
    problem.textContent = '';
  });

  return {
    ask(request) {
      finish(null);
      label.textContent = request.label;
      input.value = request.value ?? '';
      input.placeholder = request.placeholder;
      input.removeAttribute('aria-invalid');
      submit.textContent = request.submitLabel;
      detailRow.hidden = !request.detail;
      detailLabel.textContent = request.detail?.label ?? '';
      detailInput.value = request.detail?.value ?? '';
      problem.textContent = '';
      form.hidden = false;
      place(form, container, request.anchor);
      input.focus();
      input.select();
      document.addEventListener('pointerdown', onPointerDown, true);
      return new Promise((resolve) => {
        pending = { request, resolve };
      });
    },
    close: () => finish(null),
    get isOpen() {
      return pending !== null;
    },
    dispose() {
      finish(null);
      form.remove();
    },
  };
}

/** Below the anchor, kept inside the container's width. */
export function place(element: HTMLElement, container: HTMLElement, anchor: { left: number; bottom: number }): void {
  const box = container.getBoundingClientRect();
  const width = element.offsetWidth;
  const left = Math.max(8, Math.min(anchor.left - box.left, box.width - width - 8));
  element.style.left = `${left}px`;
  element.style.top = `${anchor.bottom - box.top + 6}px`;
}
