// A line above the text for what just happened (an import, a download that failed, someone's restore): it
// clears itself after a while, errors later than news.

export interface Notice {
  element: HTMLElement;
  say(message: string, tone: 'info' | 'error'): void;
  dispose(): void;
}

export function createNotice(): Notice {
  const element = document.createElement('p');
  element.className = 'notice';
  element.setAttribute('role', 'status');
  element.dataset.testid = 'notice';
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    element,
    say(message, tone) {
      clearTimeout(timer);
      element.textContent = message;
      element.dataset.tone = tone;
      timer = setTimeout(() => (element.textContent = ''), tone === 'error' ? 20_000 : 10_000);
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}
