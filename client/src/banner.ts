// The page's message banner: one visible line saying what is wrong, most serious first.

import { h } from './dom.ts';
import type { Problem } from './problems.ts';

export interface Banner {
  element: HTMLElement;
  /** A problem that stays until the page is left (access, size, read-only). */
  setLasting(problem: Problem): void;
  /** A problem that clears itself when the condition passes (server unavailable). */
  setPassing(problem: Problem | null): void;
  readonly current: Problem | null;
}

const SEVERITY = { info: 0, warning: 1, error: 2 } as const;

export function createBanner(): Banner {
  const text = h('p', { class: 'banner__text' });
  const action = h('button', { type: 'button', class: 'button banner__action', 'data-testid': 'banner-action', hidden: true });
  const element = h('div', { class: 'banner', 'data-testid': 'error', role: 'alert', hidden: true }, text, action);
  let run: (() => void) | null = null;
  action.addEventListener('click', () => run?.());
  let lasting: Problem | null = null;
  let passing: Problem | null = null;

  const render = (): void => {
    const shown = pickShown(lasting, passing);
    element.hidden = shown === null;
    element.dataset.tone = shown?.tone ?? '';
    element.dataset.kind = shown?.kind ?? '';
    text.textContent = shown?.message ?? '';
    run = shown?.action?.run ?? null;
    action.hidden = run === null;
    action.textContent = shown?.action?.label ?? '';
  };

  return {
    element,
    setLasting(problem) {
      lasting = keepLasting(lasting, problem);
      render();
    },
    setPassing(problem) {
      passing = problem;
      render();
    },
    get current() {
      return pickShown(lasting, passing);
    },
  };
}

/** A new lasting problem replaces the current one unless it is less serious. */
export function keepLasting(current: Problem | null, next: Problem): Problem {
  return current === null || SEVERITY[next.tone] >= SEVERITY[current.tone] ? next : current;
}

/** The one problem the banner shows: the more serious of the two, the lasting one on a tie. */
export function pickShown(lasting: Problem | null, passing: Problem | null): Problem | null {
  if (lasting === null) return passing;
  if (passing === null) return lasting;
  return SEVERITY[passing.tone] > SEVERITY[lasting.tone] ? passing : lasting;
}
