/**
 * Wakes this process's event subscriptions as soon as a commit appends events, instead of at their
 * next poll. Other processes find the events by polling.
 */
const waiters = new WeakMap<object, Set<() => void>>();

/** Tells the subscriptions on `store` that events were committed. */
export function signalEvents(store: object): void {
  const set = waiters.get(store);
  if (!set) return;
  waiters.delete(store);
  for (const wake of set) wake();
}

/** Resolves at the next {@link signalEvents} for `store`, or after `timeoutMs`, or when `abort` fires. */
export function nextEvents(store: object, timeoutMs: number, abort?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let set = waiters.get(store);
    if (!set) {
      set = new Set();
      waiters.set(store, set);
    }
    const done = (): void => {
      clearTimeout(timer);
      abort?.removeEventListener('abort', done);
      waiters.get(store)?.delete(done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    abort?.addEventListener('abort', done, { once: true });
    set.add(done);
  });
}
