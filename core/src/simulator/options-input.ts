import type * as t from 'io-ts';

/** The keys of `T` that are required (not optional). */
export type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/**
 * `true` when a plugin's options input interface (what a merchant writes, with TSDoc per option)
 * names exactly the options its io-ts codec decodes, required exactly where the codec requires
 * them; otherwise an object type naming the keys that differ. A plugin's test pins the two together,
 * so an option added to the codec without its documented input fails `tsc`.
 *
 * @example
 * ```ts
 * const inSync: OptionsInputMatchesCodec<AcmeOptionsInput, typeof AcmeOptionsCodec> = true;
 * ```
 */
export type OptionsInputMatchesCodec<Input, Codec extends t.Mixed> = [
  Exclude<keyof Input, keyof t.OutputOf<Codec>>,
  Exclude<keyof t.OutputOf<Codec>, keyof Input>,
  Exclude<RequiredKeys<Input>, RequiredKeys<t.OutputOf<Codec>>>,
  Exclude<RequiredKeys<t.OutputOf<Codec>>, RequiredKeys<Input>>,
] extends [never, never, never, never] ? true : {
  /** Options the input interface has and the codec does not. */
  readonly onlyInInput: Exclude<keyof Input, keyof t.OutputOf<Codec>>;
  /** Options the codec decodes and the input interface lacks. */
  readonly onlyInCodec: Exclude<keyof t.OutputOf<Codec>, keyof Input>;
  /** Options the input interface requires and the codec does not. */
  readonly requiredOnlyInInput: Exclude<RequiredKeys<Input>, RequiredKeys<t.OutputOf<Codec>>>;
  /** Options the codec requires and the input interface does not. */
  readonly requiredOnlyInCodec: Exclude<RequiredKeys<t.OutputOf<Codec>>, RequiredKeys<Input>>;
};
