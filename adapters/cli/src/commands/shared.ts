import { err, ok } from 'neverthrow';
import { PaymentErrors, resolveReferences, type PayResult } from '@paykit/core';
import type { CommandContext } from '../command.js';
import { readFileBytes, type CliIo } from '../io.js';
import type { CliProvider } from '../providers.js';

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
    return err(PaymentErrors.invalidRequest(`standard input is not valid JSON (${(e as Error).message}): pipe the ${what} as a JSON object`, { path: 'stdin' }));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err(PaymentErrors.invalidRequest(`standard input must be a JSON object with the ${what}`, { path: 'stdin' }));
  }
  return ok(value as Record<string, unknown>);
}

/** Replaces every occurrence of a secret in a text by a placeholder (defence in depth for printed text). */
export function hideSecret(text: string, secret: string | undefined, placeholder: string): string {
  return secret !== undefined && secret.length > 0 ? text.split(secret).join(placeholder) : text;
}
