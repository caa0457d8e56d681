import { expect } from 'chai';
import { Err, Ok } from 'neverthrow';

/**
 * Values that break careless code: a getter, a proxy and a `toString` that throw, and the odd
 * primitives and objects JavaScript callers pass where the types say otherwise.
 */
export function hostileValues(): readonly unknown[] {
  const throwingGetter = Object.defineProperty({}, 'body', { get() { throw new Error('getter'); }, enumerable: true });
  const hostileProxy = new Proxy({}, {
    get() { throw new Error('proxy get'); }, has() { throw new Error('proxy has'); },
    ownKeys() { throw new Error('proxy keys'); }, getPrototypeOf() { throw new Error('proxy proto'); },
  });
  const badToString = { toString() { throw new Error('toString'); }, valueOf() { throw new Error('valueOf'); } };
  return [null, undefined, throwingGetter, hostileProxy, badToString, Symbol('s'), 10n, Number.NaN, [], Object.create(null), () => 1, '', 'x', 5, {}, new Uint8Array([0xff])];
}

/**
 * Calls `fn` with each {@link hostileValues} value in each argument position (the others `plain`)
 * and fails the test when it throws or returns anything but a `Result`: rule 3 for a plugin's
 * public functions.
 *
 * @example
 * ```ts
 * it('verifyNotification answers any input with a Result', () => expectResultForAnyInput('verifyNotification', (a, b) => verifyNotification(a as never, b as never), 2, {}));
 * ```
 */
export function expectResultForAnyInput(name: string, fn: (...args: unknown[]) => unknown, arity: number, plain: unknown): void {
  const values = hostileValues();
  for (let at = 0; at < arity; at += 1) {
    for (const v of values) {
      const args = Array.from({ length: arity }, (_, i) => (i === at ? v : plain));
      let out: unknown;
      try {
        out = fn(...args);
      } catch (e) {
        expect.fail(`${name} threw ${String((e as Error)?.message ?? e)} (argument ${at + 1} hostile)`);
      }
      expect(out instanceof Ok || out instanceof Err, `${name} returns a Result (argument ${at + 1} hostile)`).to.equal(true);
    }
  }
}
