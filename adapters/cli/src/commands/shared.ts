import { dirname, resolve } from 'node:path';
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  createPaykit, InMemoryStore, jsonSyntaxProblem, loadConfigFile, PaymentErrors, resolveReferences, type HttpTransport, type OpenedStore, type Paykit,
  type PaymentError, type PayResult, type PayResultAsync, type StoreConfig,
} from '@paykit/core';
import { openStore } from '@paykit/store-sql';
import type { CommandContext } from '../command.js';
import { readFileBytes, type CliIo } from '../io.js';
import type { CliProvider } from '../providers.js';

/** A transport that sends nothing: checking or printing never talks to a provider. */
export const noNetwork: HttpTransport = {
  send: (_request, options) => errAsync(PaymentErrors.network(`${options.operation}: not sent (the CLI does not call providers here)`, false, { retryable: false })),
};

/**
 * What a command does with the config's `store` section: `open` it (resolve-pending reads and
 * writes records), or only `check` it (references resolved, shape validated) and run on memory,
 * for commands that never read or write a record.
 */
export type StoreUse = 'open' | 'check';

/** A paykit built from a config file, and the store section as resolved (absent: memory). */
export interface ConfigPaykit {
  /** The paykit; close it when the command is done. */
  readonly paykit: Paykit;
  /** The config's store section with its references resolved, when it names a durable store. */
  readonly store: StoreConfig | undefined;
}

/**
 * Loads a config file and builds paykit from it with every built-in plugin, the store section
 * handled as `storeUse` says: `env:`/`file:` references resolve relative to the file's directory.
 * Close the paykit it gives when done (it closes the store it opened).
 */
export function buildFromConfigFile(ctx: CommandContext, file: string, transport: HttpTransport, storeUse: StoreUse): PayResultAsync<ConfigPaykit> {
  const path = resolve(ctx.io.cwd, file);
  const loaded = loadConfigFile(path);
  if (loaded.isErr()) return errAsync(loaded.error);
  let store: StoreConfig | undefined;
  const baseDir = dirname(path);
  const open = (config: StoreConfig, options: { readonly baseDir?: string }): PayResultAsync<OpenedStore> => {
    store = config;
    if (storeUse === 'check') return okAsync(new InMemoryStore());
    return openStore(config, options).mapErr((e) => inStoreSection(e));
  };
  return createPaykit(loaded.value, { plugins: ctx.providers.map((p) => p.plugin), transport, openStore: open, env: ctx.io.env, baseDir })
    .map((paykit) => ({ paykit, store }));
}

/** A store error as the config names it (`config.store…`), for the user to find the line to fix. */
export function inStoreSection(e: PaymentError): PaymentError {
  const path = e.path === undefined ? 'config.store' : e.path.startsWith('config.') ? e.path : `config.${e.path}`;
  return { ...e, path, message: e.message.replace(/^store\./, 'config.store.') };
}

/** Finds a provider by plugin id; the error lists the known ids. */
export function findProvider(ctx: CommandContext, id: string): CliProvider | string {
  const found = ctx.providers.find((p) => p.plugin.id === id);
  return found ?? `unknown provider "${id.slice(0, 64)}"; built-in providers are ${ctx.providers.map((p) => p.plugin.id).join(', ') || 'none'}`;
}

/** Resolves an option value that may be an `env:NAME` or `file:PATH` reference (as in config files). */
export function resolveOptionValue(io: CliIo, value: string, option: string): PayResult<string> {
  return resolveReferences(value, { env: io.env, baseDir: io.cwd }, option).andThen((v) =>
    typeof v === 'string' ? ok(v) : err(PaymentErrors.invalidRequest(`${option} must be text`, { path: option })));
}

/**
 * Reads a key file as text: PEM or base64 text as is; binary DER (starting with a SEQUENCE byte)
 * as base64, which core's key loaders accept.
 */
export function readKeyFile(io: CliIo, path: string, option: string): PayResult<string> {
  const bytes = readFileBytes(io, path);
  if (bytes === undefined) return err(PaymentErrors.invalidRequest(`${option}: cannot read file ${path}`, { path: option }));
  if (bytes.length > 0 && bytes[0] === 0x30) return ok(Buffer.from(bytes).toString('base64'));
  return ok(Buffer.from(bytes).toString('utf8'));
}

/** Parses standard input as a JSON object. */
export function parseJsonObject(bytes: Uint8Array, what: string): PayResult<Record<string, unknown>> {
  const text = Buffer.from(bytes).toString('utf8').trim();
  if (text.length === 0) return err(PaymentErrors.invalidRequest(`standard input is empty: pipe the ${what} as a JSON object`, { path: 'stdin' }));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err(PaymentErrors.invalidRequest(`standard input is not valid JSON (${jsonSyntaxProblem(e)}): pipe the ${what} as a JSON object`, { path: 'stdin' }));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err(PaymentErrors.invalidRequest(`standard input must be a JSON object with the ${what}`, { path: 'stdin' }));
  }
  return ok(value as Record<string, unknown>);
}

/**
 * Replaces the key in a signed `k=v&…` text by a placeholder: the value of a field named `key` (or
 * `…key`) that is exactly the secret, where providers append it. The same characters elsewhere in
 * the text (an amount, a note) are the request's own and stay as they are. Defence in depth:
 * providers already write `<md5Key>`.
 */
export function hideSecret(text: string, secret: string | undefined, placeholder: string): string {
  if (secret === undefined || secret.length === 0) return text;
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(^|&)([A-Za-z_]*key)=${escaped}(?=&|$)`, 'gi'), (_m, sep: string, name: string) => `${sep}${name}=${placeholder}`);
}

/** The flag a tool option is given with; the symmetric key's is the one the user typed. */
function flagsFor(keyFlag: KeyFlag): Readonly<Record<string, string>> {
  return {
    md5Key: keyFlag, key: keyFlag, privateKey: '--private-key', publicKey: '--public-key', lianlianPublicKey: '--public-key',
    cert: '--cert', certificate: '--cert', signType: '--sign-type', message: '--message',
  };
}

const KEY_OPTIONS = new Set(['md5Key', 'key', 'privateKey', 'publicKey', 'lianlianPublicKey', 'cert', 'certificate']);

/** `--md5-key` or its other name `--key`: whichever the user typed (`--md5-key` when neither). */
export type KeyFlag = '--md5-key' | '--key';

/**
 * A provider tool's error in the words of the command line: options named as the flags the user
 * types (`privateKey` → `--private-key`, the symmetric key as the flag the user typed), no mention
 * of instance options (there are none here), and a "pass FLAG" hint for the option it is about.
 */
export function inFlagTerms(e: PaymentError, keyFlag: KeyFlag): PaymentError {
  const flags = flagsFor(keyFlag);
  let message = e.message
    .replace(/ in the instance options/g, '')
    .replace(/--md5-key|--key\b/g, keyFlag)
    .replace(/\b(md5Key|privateKey|lianlianPublicKey|publicKey|signType)\b/g, (m) => flags[m] ?? m);
  const flag = e.path === undefined ? undefined : flags[e.path];
  // A missing or unusable key: say which flag gives it, unless the message already does.
  const isKey = e.path !== undefined && KEY_OPTIONS.has(e.path);
  if (flag !== undefined && isKey && !message.includes(`pass ${flag}`) && !message.includes(`(${flag})`)) message = `${message}: pass ${flag}`;
  return { ...e, message, ...(flag !== undefined ? { path: flag } : {}) };
}
