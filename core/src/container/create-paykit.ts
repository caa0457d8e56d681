import 'reflect-metadata';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Container } from 'inversify';
import { err, errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PayResult, PayResultAsync } from '../errors/result.js';
import { toPaymentError } from '../errors/result.js';
import { CAPABILITIES, type Capability } from '../plugin/capabilities.js';
import type { ProviderPlugin } from '../plugin/contract.js';
import { CAPABILITY_TOKENS, Tokens } from '../plugin/tokens.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { safeLogger, silentLogger, type Logger } from '../ports/logger.js';
import { InMemoryStore } from '../ports/memory-store.js';
import type { Store } from '../ports/store.js';
import type { HttpTransport } from '../ports/transport.js';
import { instrumentTransport } from '../observability/instrument.js';
import { checkTelemetryOptions, Telemetry, type TelemetryOptions } from '../observability/telemetry.js';
import { decodeWith } from './codecs.js';
import { packageEntry } from './package-entry.js';
import { endpointsOf } from '../events/webhook-ops.js';
import { parseConfig, resolveReferences, type PaykitConfig, type StoreConfig } from './config.js';
import { Paykit, type Instance } from './paykit.js';

/** What `createPaykit` needs besides the config. */
export interface PaykitDeps {
  /** Plugins available by id. Instances whose plugin is not here are imported from their `module`. */
  readonly plugins?: readonly ProviderPlugin<any>[];
  /** HTTP transport (e.g. `kyTransport()` from `@paykit/transport-ky`). Required when any instance calls out. */
  readonly transport?: HttpTransport;
  /**
   * Store. When absent, the config's `store` section is opened with {@link PaykitDeps.openStore};
   * with neither, an in-memory store (tests, demos: not for production).
   */
  readonly store?: Store;
  /**
   * Opens the config's `store` section (`openStore` from `@paykit/store-sql`). It is called only
   * once the whole config is valid, and the store it opens is closed by `paykit.close()`.
   */
  readonly openStore?: (config: StoreConfig, options: { readonly baseDir?: string }) => PayResultAsync<OpenedStore>;
  /** Clock; the system clock when absent. */
  readonly clock?: Clock;
  /** Logger; silent when absent. */
  readonly logger?: Logger;
  /** Environment for `env:` references; `process.env` when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory for `file:` references; the working directory when absent. */
  readonly baseDir?: string;
  /**
   * OpenTelemetry providers for paykit's spans and metrics; the globally registered ones when
   * absent (nothing is recorded when none is registered). See docs/observability.md.
   */
  readonly telemetry?: TelemetryOptions;
}

/**
 * A store as `openStore` gives it back: a durable store can be closed (`@paykit/store-sql`'s stores
 * resolve `close()` to a `Result`), which `paykit.close()` does.
 */
export type OpenedStore = Store & {
  /** Releases the database: a promise, or a `ResultAsync` whose error is reported by `paykit.close()`. */
  close?(): PromiseLike<unknown> | ResultAsync<unknown, unknown>;
};

const missingTransport: HttpTransport = {
  send: () => errAsync(PaymentErrors.invalidConfig('no HTTP transport configured: pass { transport: kyTransport() } to createPaykit', { path: 'deps.transport' })),
};

function isPlugin(v: unknown): v is ProviderPlugin {
  return typeof v === 'object' && v !== null && typeof (v as ProviderPlugin).id === 'string'
    && Array.isArray((v as ProviderPlugin).capabilities) && typeof (v as ProviderPlugin).configCodec === 'object'
    && typeof (v as ProviderPlugin).module === 'object';
}

/** Imports a third-party plugin module and finds the plugin with the wanted id among its exports. */
function importPlugin(moduleName: string, pluginId: string, path: string, baseDir: string): PayResultAsync<ProviderPlugin> {
  // A relative or absolute path is a file next to the config; anything else is a package name,
  // looked up from the config's folder (the merchant's application), else from core's.
  const file = /^\.{1,2}[\\/]/.test(moduleName) || isAbsolute(moduleName) ? resolve(baseDir, moduleName) : packageEntry(moduleName, baseDir);
  const specifier = file !== undefined ? pathToFileURL(file).href : moduleName;
  return ResultAsync.fromPromise(import(specifier) as Promise<Record<string, unknown>>,
    (e) => PaymentErrors.invalidConfig(`${path}: cannot import plugin module "${moduleName}": ${(e as Error).message}`, { path }))
    .andThen((mod) => {
      const found = Object.values(mod).find((v) => isPlugin(v) && v.id === pluginId);
      return found ? ok(found as ProviderPlugin) : err(PaymentErrors.invalidConfig(`${path}: module "${moduleName}" exports no plugin with id "${pluginId}"`, { path }));
    });
}

function buildInstance(root: Container, id: string, plugin: ProviderPlugin, rawOptions: unknown, deps: PaykitDeps, telemetry: Telemetry): PayResult<Instance> {
  const path = `config.instances.${id}.options`;
  return resolveReferences(rawOptions ?? {}, { env: deps.env ?? process.env, baseDir: deps.baseDir ?? process.cwd() }, path)
    .andThen((resolved) => decodeWith(plugin.configCodec, resolved, path, 'config'))
    .andThen((options) => {
      try {
        const child = new Container({ parent: root, defaultScope: 'Singleton' });
        child.bind(Tokens.InstanceId).toConstantValue(id);
        child.bind(Tokens.InstanceConfig).toConstantValue(options);
        // The plugin's HTTP requests are traced per instance (a direct call when nothing traces).
        child.bind(Tokens.Transport).toConstantValue(instrumentTransport(telemetry, { id, pluginId: plugin.id }, deps.transport ?? missingTransport));
        child.load(plugin.module);
        const missing = plugin.capabilities.filter((c) => !child.isBound(CAPABILITY_TOKENS[c]));
        if (missing.length > 0) {
          return err(PaymentErrors.internal(`plugin ${plugin.id} declares ${missing.join(', ')} but its module binds no service for it`, { providerId: plugin.id }));
        }
        return ok({ id, plugin, container: child, capabilities: [...plugin.capabilities] });
      } catch (e) {
        return err(PaymentErrors.invalidConfig(`${path}: plugin ${plugin.id} failed to start: ${toPaymentError(e, 'container').cause?.message ?? 'unknown error'}`, { path, providerId: plugin.id }));
      }
    });
}

/** Decides which instance serves each capability (explicit routes first, then the only capable instance). */
function buildRoutes(cfg: PaykitConfig, instances: ReadonlyMap<string, Instance>): PayResult<ReadonlyMap<string, string>> {
  const routes = new Map<string, string>();
  for (const [key, target] of Object.entries(cfg.routes ?? {})) {
    const capability = key.split('.')[0] as Capability;
    if (!CAPABILITIES.includes(capability)) {
      return err(PaymentErrors.invalidConfig(`config.routes.${key}: unknown operation; route keys are a capability (${CAPABILITIES.join(', ')}) or capability.operation`, { path: `config.routes.${key}` }));
    }
    const inst = instances.get(target);
    if (inst && !inst.capabilities.includes(capability)) {
      return err(PaymentErrors.invalidConfig(`config.routes.${key}: instance "${target}" (${inst.plugin.id}) does not support ${capability}; it supports ${inst.capabilities.join(', ')}`, { path: `config.routes.${key}` }));
    }
    routes.set(key, target);
  }
  for (const c of CAPABILITIES) {
    if (routes.has(c)) continue;
    const capable = [...instances.values()].filter((i) => i.capabilities.includes(c));
    if (capable.length === 1 && capable[0]) routes.set(c, capable[0].id);
  }
  return ok(routes);
}

/**
 * Builds paykit from a configuration: validates all of it (shape, routes, `env:`/`file:`
 * references, every instance's options against its plugin) before it opens anything, then opens
 * the config's store, builds one child container per instance with its plugin's module, and routes
 * operations to instances. A bad config is an `InvalidConfig` naming the entry to fix, and leaves
 * nothing behind (no database opened, no data folder created). Release what it opened with
 * `paykit.close()`.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit(defineConfig({
 *   instances: { shop: { plugin: 'lianlian-web', options: { oidPartner: '2019…', signType: 'MD5', md5Key: 'env:LL_MD5_KEY', goodsCategory: '1002' } } },
 *   routes: { payments: 'shop' },
 * }), { plugins: [lianlianWebPlugin], transport: kyTransport() });
 * if (paykit.isErr()) console.error(paykit.error.message);
 * ```
 */
export function createPaykit(config: unknown, deps: PaykitDeps = {}): PayResultAsync<Paykit> {
  let cfg: PaykitConfig;
  let wanted: PayResult<StoreConfig | undefined>;
  let telemetry: Telemetry;
  try {
    const parsed = parseConfig(config);
    if (parsed.isErr()) return errAsync(parsed.error);
    cfg = parsed.value;
    const telemetryOptions = checkTelemetryOptions(deps.telemetry);
    if (telemetryOptions.isErr()) return errAsync(telemetryOptions.error);
    telemetry = new Telemetry(telemetryOptions.value);
    wanted = storeConfigOf(cfg, deps);
  } catch (e) {
    return errAsync(toPaymentError(e, 'createPaykit'));
  }
  if (wanted.isErr()) return errAsync(wanted.error);
  const storeConfig = wanted.value;
  const endpoints = resolveReferences(cfg.webhooks, { env: deps.env ?? process.env, baseDir: deps.baseDir ?? process.cwd() }, 'config.webhooks').andThen(endpointsOf);
  if (endpoints.isErr()) return errAsync(endpoints.error);
  return build(cfg, deps, telemetry).andThen((built) => openStoreFor(storeConfig, deps).map(({ store, owned }) => {
    built.root.bind(Tokens.Store).toConstantValue(store);
    return new Paykit(built.root, built.instances, built.routes, cfg, owned, telemetry, endpoints.value);
  }));
}

/**
 * The store section to open, references resolved, checked before anything is opened: `undefined`
 * when the store is given in `deps` or kept in memory.
 */
function storeConfigOf(cfg: PaykitConfig, deps: PaykitDeps): PayResult<StoreConfig | undefined> {
  if (deps.store) return ok(undefined);
  const wanted = cfg.store;
  if (!wanted || wanted.kind === 'memory') return ok(undefined);
  if (!deps.openStore) {
    return err(PaymentErrors.invalidConfig(`config.store: a "${wanted.kind}" store needs @paykit/store-sql: pass { openStore } from it to createPaykit`, { path: 'config.store' }));
  }
  return resolveReferences(wanted, { env: deps.env ?? process.env, baseDir: deps.baseDir ?? process.cwd() }, 'config.store')
    .map((resolved) => resolved as StoreConfig);
}

/** The store: the one passed in, else the config's `store` section opened (and owned), else in memory. */
function openStoreFor(wanted: StoreConfig | undefined, deps: PaykitDeps): PayResultAsync<{ store: Store; owned?: OpenedStore }> {
  if (deps.store) return okAsync({ store: deps.store });
  if (wanted === undefined || !deps.openStore) return okAsync({ store: new InMemoryStore() });
  return deps.openStore(wanted, deps.baseDir === undefined ? {} : { baseDir: deps.baseDir }).map((store) => ({ store, owned: store }));
}

/** Plugins, instances and routes, all checked; the store is bound afterwards. */
function build(cfg: PaykitConfig, deps: PaykitDeps, telemetry: Telemetry): PayResultAsync<{ root: Container; instances: ReadonlyMap<string, Instance>; routes: ReadonlyMap<string, string> }> {
  const known = new Map((deps.plugins ?? []).map((p) => [p.id, p]));
  const root = new Container({ defaultScope: 'Singleton' });
  root.bind(Tokens.Transport).toConstantValue(deps.transport ?? missingTransport);
  root.bind(Tokens.Clock).toConstantValue(deps.clock ?? systemClock);
  root.bind(Tokens.Logger).toConstantValue(safeLogger(deps.logger ?? silentLogger));

  const entries = Object.entries(cfg.instances);
  const plugins = entries.map(([id, inst]) => {
    const path = `config.instances.${id}.plugin`;
    const p = known.get(inst.plugin);
    if (p) return okAsync<ProviderPlugin, never>(p);
    if (inst.module !== undefined) return importPlugin(inst.module, inst.plugin, `config.instances.${id}.module`, deps.baseDir ?? process.cwd());
    return errAsync(PaymentErrors.invalidConfig(`${path}: unknown plugin "${inst.plugin}"; available are ${[...known.keys()].join(', ') || 'none'}, or set "module" to import it`, { path }));
  });
  return ResultAsync.combine(plugins).andThen((resolved) => {
    const instances = new Map<string, Instance>();
    for (const [i, [id, inst]] of entries.entries()) {
      const built = buildInstance(root, id, resolved[i] as ProviderPlugin, inst.options, deps, telemetry);
      if (built.isErr()) return err(built.error);
      instances.set(id, built.value);
    }
    return buildRoutes(cfg, instances).map((routes) => ({ root, instances, routes }));
  });
}
