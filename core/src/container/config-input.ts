import type { Capability } from '../plugin/capabilities.js';

/**
 * A reference paykit resolves when it starts: `env:NAME` reads an environment variable, `file:PATH`
 * reads a file (relative to the config file's folder, or `deps.baseDir`), and `literal:TEXT` is
 * `TEXT` itself, for a value that must start with `env:` or `file:`.
 */
export type ConfigReference = `env:${string}` | `file:${string}` | `literal:${string}`;

/**
 * A text option: the text itself, or a {@link ConfigReference} to it. Write keys and passwords as
 * `env:NAME` or `file:PATH`, never as the secret itself.
 */
export type ConfigText = ConfigReference | (string & {});

/**
 * Plugin id → the options an instance of that plugin takes, as written in a config. Core leaves it
 * empty; each provider package adds its entry, so importing `@paykit/provider-lianlian-web` makes
 * `plugin: 'lianlian-web'` known to {@link defineConfig}, with its options checked against
 * `LianlianWebOptionsInput`. A plugin of your own adds its entry the same way.
 *
 * @example
 * ```ts
 * declare module '@paykit/core' {
 *   interface PaykitPluginOptions {
 *     acme: AcmeOptionsInput;
 *   }
 * }
 * ```
 */
export interface PaykitPluginOptions {}

/** One instance of a known plugin: its id and its options, checked against the plugin's options interface. */
export type InstanceConfigInput = {
  readonly [P in keyof PaykitPluginOptions]: {
    /** The plugin id. */
    readonly plugin: P;
    /** The instance's options; string options may be {@link ConfigReference}s. */
    readonly options: PaykitPluginOptions[P];
    /** The module to import the plugin from, when it is not passed to `createPaykit` in `deps.plugins`. */
    readonly module?: string;
    /** A note for whoever reads the config. */
    readonly description?: string;
  };
}[keyof PaykitPluginOptions];

/** A route key: a capability (`payments`) or one operation of it (`payments.create`). */
export type RouteKey = Capability | `${Capability}.${string}`;

/** `store.kind: 'memory'`: records kept in this process only (tests, demos; not for production). */
export interface MemoryStoreInput {
  /** In memory. */
  readonly kind: 'memory';
}

/** `store.kind: 'pglite'`: embedded PostgreSQL (PGlite) in a folder on disk, for one process. */
export interface PgliteStoreInput {
  /** Embedded PGlite. */
  readonly kind: 'pglite';
  /** The data folder, relative to the config's folder; `paykit-data` when absent. */
  readonly dataDir?: ConfigText;
  /** Base64 of 32 random bytes that encrypts beneficiary account numbers at rest, e.g. `env:PAYKIT_RECORD_KEY`. */
  readonly recordKey?: ConfigText;
}

/** `store.kind: 'postgres'`: a PostgreSQL server shared by every process of the shop. */
export interface PostgresStoreInput {
  /** PostgreSQL server. */
  readonly kind: 'postgres';
  /** A `postgres://` connection URL; write it as `env:DATABASE_URL`. */
  readonly url: ConfigText;
  /** Base64 of 32 random bytes that encrypts beneficiary account numbers at rest, e.g. `env:PAYKIT_RECORD_KEY`. */
  readonly recordKey?: ConfigText;
}

/** The `store` section: where paykit keeps its records (opened by `openStore` from `@paykit/store-sql`). */
export type StoreConfigInput = MemoryStoreInput | PgliteStoreInput | PostgresStoreInput;

/**
 * A paykit config as a merchant writes it. `I` is the set of instance ids, so a route naming an
 * instance that does not exist is a type error. Validation at run time (by `createPaykit`) is the
 * same whether or not a config was typed.
 */
export interface PaykitConfigInput<I extends string = string> {
  /** JSON schema reference, for editors of JSON config files. */
  readonly $schema?: string;
  /** A note for whoever reads the config. */
  readonly description?: string;
  /** Provider instances by id (letters, digits, `-`, `_`, `.`; at most 64). */
  readonly instances: { readonly [K in I]: InstanceConfigInput };
  /**
   * Which instance serves a capability or one operation (`payments.create`). A capability only one
   * instance can serve needs no route.
   */
  readonly routes?: { readonly [K in RouteKey]?: NoInfer<I> };
  /** Where records are kept; in memory when absent (not for production). */
  readonly store?: StoreConfigInput;
  /** Transport settings. */
  readonly transport?: {
    /** Default per-call timeout in milliseconds. */
    readonly timeoutMs?: number;
  };
  /** Endpoints that receive merchant events as signed webhooks (started by `paykit.webhooks.start()`). */
  readonly webhooks?: WebhooksConfigInput;
}

/** The `webhooks` section: endpoint name → where events go and how they are signed. */
export interface WebhooksConfigInput {
  /** Endpoints by name (the consumer is `webhook:<name>`). */
  readonly endpoints: { readonly [name: string]: WebhookEndpointInput };
}

/** One outgoing webhook endpoint. */
export interface WebhookEndpointInput {
  /** An https URL (http only for 127.0.0.1 / localhost) that receives each event as a signed JSON POST. */
  readonly url: ConfigText;
  /** The HMAC-SHA256 signing secret shared with the endpoint (at least 16 characters): write it as `env:NAME`. */
  readonly secret: ConfigText;
  /** Only these event types (default all), e.g. `['payment.succeeded', 'refund.succeeded']`. */
  readonly types?: readonly string[];
  /** Per-request timeout in milliseconds; 10 000 when absent. */
  readonly timeoutMs?: number;
  /** Tries of one event before it is parked (default 8). */
  readonly maxAttempts?: number;
  /** A note for whoever reads the config. */
  readonly description?: string;
}

/**
 * Types a paykit config where it is written: editors complete plugin ids, every plugin's options
 * (from the provider packages imported) and route keys, and report a misspelt option or a route to
 * an unknown instance. Returns the config unchanged; `createPaykit` validates it at run time as it
 * validates any config.
 *
 * @example
 * ```ts
 * import { createPaykit, defineConfig } from '@paykit/core';
 * import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
 *
 * const config = defineConfig({
 *   instances: {
 *     shop: {
 *       plugin: 'lianlian-web',
 *       options: { oidPartner: 'env:LL_OID_PARTNER', signType: 'MD5', md5Key: 'env:LL_MD5_KEY', goodsCategory: '1002' },
 *     },
 *   },
 *   routes: { payments: 'shop' },
 *   store: { kind: 'pglite', dataDir: './paykit-data' },
 * });
 * const paykit = await createPaykit(config, { plugins: [lianlianWebPlugin], transport, openStore });
 * ```
 */
export function defineConfig<const I extends string>(config: PaykitConfigInput<I>): PaykitConfigInput<I> {
  return config;
}
