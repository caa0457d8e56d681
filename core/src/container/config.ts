import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as t from 'io-ts';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';
import { decodeWith, EventTypeCodec } from './codecs.js';

/** One configured provider instance: which plugin, and its options. */
export const InstanceConfigCodec = t.intersection([
  t.type({ plugin: t.string }),
  t.partial({
    /** Module to import the plugin from when it is not passed to `createPaykit` (third-party plugins). */
    module: t.string,
    options: t.unknown,
  }),
], 'InstanceConfig');

/**
 * Where state is kept. `recordKey` (base64 of 32 random bytes, e.g. `env:PAYKIT_RECORD_KEY`)
 * encrypts the records that hold beneficiary account numbers (payouts) at rest in a durable store.
 */
export const StoreConfigCodec = t.union([
  t.type({ kind: t.literal('memory') }),
  t.intersection([t.type({ kind: t.literal('pglite') }), t.partial({ dataDir: t.string, recordKey: t.string })]),
  t.intersection([t.type({ kind: t.literal('postgres'), url: t.string }), t.partial({ recordKey: t.string })]),
], 'StoreConfig');

/** The decoded `store` section: which store keeps paykit's state. */
export type StoreConfig = t.TypeOf<typeof StoreConfigCodec>;

/** One outgoing webhook endpoint of the `webhooks` section. */
export const WebhookEndpointConfigCodec = t.intersection([
  t.type({ url: t.string, secret: t.string }),
  t.partial({ types: t.array(EventTypeCodec), timeoutMs: t.number, maxAttempts: t.number, description: t.string }),
], 'WebhookEndpointConfig');

/** The `webhooks` section: endpoints that receive merchant events, signed (see `paykit.webhooks`). */
export const WebhooksConfigCodec = t.type({ endpoints: t.record(t.string, WebhookEndpointConfigCodec) }, 'WebhooksConfig');

/** The paykit configuration file. */
export const PaykitConfigCodec = t.intersection([
  t.type({ instances: t.record(t.string, InstanceConfigCodec) }),
  t.partial({
    routes: t.record(t.string, t.string),
    store: StoreConfigCodec,
    transport: t.partial({ timeoutMs: t.number }),
    webhooks: WebhooksConfigCodec,
  }),
], 'PaykitConfig');

/** The decoded configuration. */
export type PaykitConfig = t.TypeOf<typeof PaykitConfigCodec>;
/** One decoded instance entry. */
export type InstanceConfig = t.TypeOf<typeof InstanceConfigCodec>;

const TOP_KEYS = new Set(['instances', 'routes', 'store', 'transport', 'webhooks', '$schema', 'description']);
const INSTANCE_KEYS = new Set(['plugin', 'module', 'options', 'description']);

/** Where `env:` and `file:` references are resolved from. */
export interface ReferenceContext {
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory `file:` paths are relative to. */
  readonly baseDir: string;
}

/**
 * Resolves `env:NAME` and `file:PATH` references in a config value, recursively. A missing variable
 * or unreadable file is an `InvalidConfig` error naming the path. `literal:` escapes a string that
 * must start with `env:` or `file:`.
 */
export function resolveReferences(value: unknown, ctx: ReferenceContext, path: string): PayResult<unknown> {
  return guard('resolveReferences', () => {
    if (typeof value === 'string') {
      if (value.startsWith('env:')) {
        const name = value.slice(4);
        // Own values only: `env:toString` must not find Object.prototype.toString on the environment.
        const v = Object.hasOwn(ctx.env, name) ? ctx.env[name] : undefined;
        if (typeof v !== 'string' || v === '') return err(PaymentErrors.invalidConfig(`${path}: environment variable ${name} is not set (referenced as "env:${name}")`, { path }));
        return ok(v);
      }
      if (value.startsWith('file:')) {
        const p = value.slice(5);
        const full = isAbsolute(p) ? p : resolve(ctx.baseDir, p);
        try {
          const bytes = readFileSync(full);
          // Text files (PEM keys, passwords) come as text; binary ones (DER certificates) as
          // base64, which every key loader accepts.
          try {
            return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/\r?\n$/, ''));
          } catch {
            return ok(bytes.toString('base64'));
          }
        } catch {
          return err(PaymentErrors.invalidConfig(`${path}: cannot read file ${full} (referenced as "file:${p}")`, { path }));
        }
      }
      if (value.startsWith('literal:')) return ok(value.slice(8));
      return ok(value);
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const [i, v] of value.entries()) {
        const r = resolveReferences(v, ctx, `${path}.${i}`);
        if (r.isErr()) return r;
        out.push(r.value);
      }
      return ok(out);
    }
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const r = resolveReferences(v, ctx, `${path}.${k}`);
        if (r.isErr()) return r;
        out[k] = r.value;
      }
      return ok(out);
    }
    return ok(value);
  });
}

/**
 * Validates a configuration object (the parsed JSON file): shape, unknown keys, instance ids.
 * References are resolved later, per instance, by the plugin's codec.
 */
export function parseConfig(input: unknown): PayResult<PaykitConfig> {
  return guard('parseConfig', () => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return err(PaymentErrors.invalidConfig('config must be a JSON object with an "instances" entry', { path: 'config' }));
    }
    for (const k of Object.keys(input)) {
      if (!TOP_KEYS.has(k)) return err(PaymentErrors.invalidConfig(`config.${k}: unknown setting; allowed are ${[...TOP_KEYS].join(', ')}`, { path: `config.${k}` }));
    }
    return decodeWith(PaykitConfigCodec, input, 'config', 'config').andThen((cfg) => {
      const ids = Object.keys(cfg.instances);
      if (ids.length === 0) return err(PaymentErrors.invalidConfig('config.instances: configure at least one provider instance', { path: 'config.instances' }));
      for (const id of ids) {
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id)) return err(PaymentErrors.invalidConfig(`config.instances.${id}: instance ids use letters, digits, "-", "_" and "." (max 64)`, { path: `config.instances.${id}` }));
        for (const k of Object.keys(cfg.instances[id] as object)) {
          if (!INSTANCE_KEYS.has(k)) return err(PaymentErrors.invalidConfig(`config.instances.${id}.${k}: unknown setting; allowed are plugin, module, options`, { path: `config.instances.${id}.${k}` }));
        }
      }
      for (const [route, target] of Object.entries(cfg.routes ?? {})) {
        if (!ids.includes(target)) return err(PaymentErrors.invalidConfig(`config.routes.${route}: no instance "${target}"; configured instances are ${ids.join(', ')}`, { path: `config.routes.${route}` }));
      }
      return ok(cfg);
    });
  });
}

/** Reads and validates a JSON config file. */
export function loadConfigFile(path: string): PayResult<PaykitConfig> {
  return guard('loadConfigFile', () => {
    // Only a path string: readFileSync would also take a file descriptor number or a Buffer.
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
      return err(PaymentErrors.invalidConfig('config file path must be a non-empty string', { path: 'config' }));
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return err(PaymentErrors.invalidConfig(`cannot read config file ${path}`, { path: 'config' }));
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return err(PaymentErrors.invalidConfig(`config file ${path} is not valid JSON: ${jsonSyntaxProblem(e)}`, { path: 'config' }));
    }
    return parseConfig(json);
  });
}

/**
 * What `JSON.parse` objected to, without the piece of text it quotes (V8 quotes about ten
 * characters either side of the error, which can be part of a key written inline in a config).
 * Never throws, whatever it is given.
 *
 * @example
 * ```ts
 * try { JSON.parse(text); } catch (e) { console.error(`not valid JSON: ${jsonSyntaxProblem(e)}`); }
 * ```
 */
export function jsonSyntaxProblem(e: unknown): string {
  let message = '';
  try {
    if (e instanceof Error && typeof e.message === 'string') message = e.message;
  } catch {
    // A value that cannot be read says nothing more.
  }
  if (/^Unexpected token\b/.test(message)) return 'unexpected character (a value in single quotes, or not quoted?)';
  // The forms that quote no text: "… in JSON at position 12", "Unexpected end of JSON input".
  return message === '' || message.includes('"') ? 'the text does not parse as JSON' : message;
}
