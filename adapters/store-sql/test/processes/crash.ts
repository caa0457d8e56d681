// Staged crashes for the process tests: a store whose commit kills its own process (SIGKILL: no
// cleanup, no reply, no finally) just before or just after chosen commits reach the database.
import type { ChangeSet, Store } from '@paykit/core';

/** Where a process dies around one commit: instead of it, or right after it is durable. */
export type DeathAroundCommit = 'before' | 'after';

/** The store, with `commit` killing the process around each commit `when` names. */
export function dyingAt(store: Store, when: (changes: ChangeSet) => DeathAroundCommit | undefined): Store {
  const die = (): never => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable');
  };
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'commit') return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: Parameters<Store['commit']>) => {
        const death = when(args[0]);
        if (death === undefined) return target.commit(...args);
        if (death === 'before') die();
        return target.commit(...args).map((outcome) => {
          // The commit is durable; nothing after it happens.
          die();
          return outcome;
        });
      };
    },
  });
}
