/**
 * `@paykit/logger-pino`: paykit's `Logger` port on [pino](https://getpino.io), the logger Node
 * services already run, with paykit's own redaction kept: secret-named fields and `Secret` values
 * become `[REDACTED]`, card numbers are masked in fields and messages, before pino sees them.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { pinoLogger } from '@paykit/logger-pino';
 *
 * const paykit = await createPaykit(config, { plugins, transport, logger: pinoLogger(pino({ level: 'info' })) });
 * ```
 *
 * @packageDocumentation
 */
import { logLevelOf, maskCardNumbersIn, redactFields, type LogFields, type Logger, type LogLevel } from '@paykit/core';

/**
 * The part of a pino logger paykit writes through (a `pino.Logger`, or a child of one, fits).
 * Declared here, so these types do not need pino's.
 */
export interface PinoLike {
  /** Writes at debug. */
  debug(fields: object, message: string): void;
  /** Writes at info. */
  info(fields: object, message: string): void;
  /** Writes at warn. */
  warn(fields: object, message: string): void;
  /** Writes at error. */
  error(fields: object, message: string): void;
  /** Whether a level is written at all (pino's `isLevelEnabled`): skipped lines cost no redaction. */
  isLevelEnabled?(level: string): boolean;
}

/** The keys pino writes on every line itself: a field of the same name is renamed `paykit_<key>` rather than duplicated. */
const PINO_KEYS: ReadonlySet<string> = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * paykit's `Logger` writing to a pino logger: each line's fields go through paykit's `redact`
 * (secrets hidden, card numbers masked, identifiers shown) and its message through
 * `maskCardNumbersIn`, then to pino at the same level. A level pino does not write is skipped
 * before any of that work. pino's own options (its `redact` paths, transports, serializers) apply
 * on top.
 *
 * @example
 * ```ts
 * const logger = pinoLogger(pino().child({ service: 'checkout' }));
 * logger.log('warn', 'notification rejected', { instance: 'shop', md5Key: 'k' }); // md5Key: "[REDACTED]"
 * ```
 */
export function pinoLogger(pino: PinoLike): Logger {
  return {
    log(given: LogLevel, message: string, fields: LogFields = {}): void {
      // A level that is not one of paykit's (JavaScript callers) is written at info.
      const level = logLevelOf(given);
      if (typeof pino.isLevelEnabled === 'function' && !pino.isLevelEnabled(level)) return;
      const safe = redactFields(fields) as Record<string, unknown>;
      let out = safe;
      for (const key of Object.keys(safe)) {
        if (!PINO_KEYS.has(key)) continue;
        if (out === safe) out = { ...safe };
        out[`paykit_${key}`] = out[key];
        delete out[key];
      }
      const write = pino[level] ?? pino.info;
      write.call(pino, out, maskCardNumbersIn(message));
    },
  };
}
