import { Secret, maskCardNumbersIn } from './secret.js';

/** Log levels. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured fields of a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logger port. Implementations must pass fields through {@link redact} (the provided ones do). */
export interface Logger {
  /** Logs at a level. */
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/**
 * The logger paykit hands to its own code and to plugins: the same logger, except that a throwing
 * `log` (a full disk, a bug in the merchant's sink) is swallowed. A log line must never turn a
 * provider's accepted payout into an error.
 */
export function safeLogger(logger: Logger): Logger {
  return {
    log(level, message, fields) {
      try {
        logger.log(level, message, fields);
      } catch {
        // Dropped on purpose: see above.
      }
    },
  };
}

/** Field names whose values are always replaced by `[REDACTED]`. */
const SECRET_KEYS = /(^|_)(key|md5key|md5_key|private|privatekey|private_key|password|passwd|secret|token|pay_load|payload|sign|signmsg|sign_msg|hmac|aeskey|id_no|cvv|cvv2)$|^(key|signMsg|password|privateKey|md5Key|hmacKey|aesKey)$/i;
/** Field names holding card or account numbers: masked. */
const CARD_KEYS = /(card_no|cardno|card_number|cardnumber|pan|acct_no|account_number|accountnumber|bank_account)$/i;
/** Field names holding a national id number: masked like a card. */
const ID_NUMBER_KEYS = /(?:^|_)id_?(?:no|number)$|^id(?:No|Number)$/i;
/** Field names holding a card's security code or expiry: never shown. */
const CARD_SECRET_KEYS = /cvv2?$|expire_?d?_?date$|expiry$/i;

/**
 * Whether a field's value must never be quoted whole, in an error or anywhere else: card and
 * account numbers, id numbers, a card's security code and expiry.
 */
export function isSensitiveField(key: string): boolean {
  return typeof key === 'string' && (CARD_KEYS.test(key) || ID_NUMBER_KEYS.test(key) || CARD_SECRET_KEYS.test(key));
}
/**
 * Field names holding identifiers (order and provider ids: `orderId`, `providerPaymentId`,
 * `oid_paybill`, `no_order`, `merchantId`…): shown as they are, since a provider's 16-digit order
 * number is not a card number. Card and secret names are checked first.
 */
const ID_KEYS = /^(?:oid|no)_[a-z_]+$|(?:^|_)(?:id|no|ref)$|[a-z0-9](?:Id|ID|No|Ref)$/;
/** Words that make a name an account's, never an identifier to show (`accountNo`, `bankCardId`). */
const ACCOUNT_WORDS = /card|acct|account|iban|pan/i;
/** One token an identifier can be: no spaces, at most 64 characters. */
const ID_VALUE = /^[\x21-\x7e]{1,64}$/;

/**
 * A text field's value made safe to show by its name: a card-number field keeps its last 4 digits,
 * an identifier field (one token, such as `oid_paybill`) is shown as it is, and any other text has
 * its card-number-like runs masked ({@link maskCardNumbersIn}). Secret-named fields are not handled
 * here: {@link redact} hides those whole.
 *
 * @example
 * ```ts
 * maskFieldValue('oid_paybill', '2013051500001234'); // '2013051500001234'
 * maskFieldValue('card_no', '6222021234567890');     // '************7890'
 * ```
 */
export function maskFieldValue(key: string, value: string): string {
  if (typeof key !== 'string' || typeof value !== 'string') return maskCardNumbersIn(value);
  if (CARD_SECRET_KEYS.test(key)) return '*'.repeat(value.length);
  // Every digit but the last 4, spaced or not (an id number's final X is kept too).
  if (CARD_KEYS.test(key)) return maskCardNumbersIn(value.length >= 5 ? value.replace(/\d(?=(?:\D*\d){4})/g, '*') : value);
  // An id number keeps its last 4 characters, or its last 2 when it has 5 to 8, none when shorter.
  if (ID_NUMBER_KEYS.test(key)) {
    const keep = value.length > 8 ? 4 : value.length >= 5 ? 2 : 0;
    return '*'.repeat(value.length - keep) + value.slice(value.length - keep);
  }
  if (ID_KEYS.test(key) && !ACCOUNT_WORDS.test(key) && ID_VALUE.test(value)) return value;
  return maskCardNumbersIn(value);
}

/**
 * Returns a copy of a value safe to log: {@link Secret}s and secret-named fields become
 * `[REDACTED]`, card-number fields and card-number-like runs in text are masked, identifier fields
 * are shown as they are ({@link maskFieldValue}).
 */
export function redact(value: unknown, depth = 0): unknown {
  try {
    return redactValue(value, depth);
  } catch {
    return '[unloggable]'; // a getter or proxy that throws: nothing of it is shown
  }
}

function redactValue(value: unknown, depth: number): unknown {
  if (value instanceof Secret) return '[REDACTED]';
  if (typeof value === 'string') return maskCardNumbersIn(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEYS.test(k)) out[k] = '[REDACTED]';
      // A card decoded from JSON may be a number.
      else if (CARD_KEYS.test(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint')) out[k] = maskFieldValue(k, String(v));
      else if (typeof v === 'string') out[k] = maskFieldValue(k, v);
      else out[k] = redact(v, depth + 1);
    }
    return out;
  }
  return '[unloggable]';
}

/** A line captured by {@link MemoryLogger}. */
export interface LogLine {
  /** Level. */
  readonly level: LogLevel;
  /** Message (redacted). */
  readonly message: string;
  /** Fields (redacted). */
  readonly fields: LogFields;
}

/** A logger that keeps redacted lines in memory (tests, the CLI's demo). */
export class MemoryLogger implements Logger {
  /** Lines logged so far. */
  readonly lines: LogLine[] = [];

  /** Records a redacted line. */
  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    this.lines.push({ level: logLevelOf(level), message: maskCardNumbersIn(message), fields: redactFields(fields) });
  }
}

/** A logger that writes redacted JSON lines to a stream (stderr by default). */
export class JsonLogger implements Logger {
  readonly #write: (line: string) => void;
  readonly #min: number;

  /**
   * Creates a logger writing lines at `min` level and above.
   * @param min lowest level written
   * @param write where lines go (stderr by default)
   */
  constructor(min: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
    this.#min = LEVELS.indexOf(min);
    this.#write = write;
  }

  /** Writes a redacted JSON line. */
  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    const at = logLevelOf(level);
    if (LEVELS.indexOf(at) < this.#min) return;
    this.#write(JSON.stringify({ level: at, message: maskCardNumbersIn(message), ...redactFields(fields) }));
  }
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** A level as given, or `info` for anything that is not one (JavaScript callers); for `Logger` implementations. */
export function logLevelOf(level: unknown): LogLevel {
  return LEVELS.includes(level as LogLevel) ? level as LogLevel : 'info';
}

/**
 * The redacted fields of a line ({@link redact}); anything that is not an object of fields is kept
 * under `fields`. For `Logger` implementations.
 */
export function redactFields(fields: unknown): LogFields {
  const redacted = redact(fields);
  return typeof redacted === 'object' && redacted !== null && !Array.isArray(redacted) ? redacted as LogFields : { fields: redacted };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log: () => undefined };
