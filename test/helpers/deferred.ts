// A promise settled from outside, for tests that stand in for a storage batch; and one turn of the event loop.

/** A promise with its resolve and reject; its rejection is marked handled, so only the code under test sees it. */
export function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Resolves after pending promise reactions and I/O callbacks have run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
