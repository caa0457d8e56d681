import { PaymentErrors, type PaymentError } from '@paykit/core';

/**
 * `InvalidConfig` saying what `usage` lists, unless `options` is an object naming the instance
 * (`instanceId`, `instanceFromPath` or `resolveInstance`) and, when `withPath`, the route `path`.
 * Undefined when the options fit. Never throws: an object whose properties cannot be read is refused.
 */
export function optionsError(usage: string, options: unknown, withPath = false): PaymentError | undefined {
  try {
    if (typeof options === 'object' && options !== null) {
      const given = options as Record<string, unknown>;
      const namesInstance = 'instanceId' in given || 'instanceFromPath' in given || 'resolveInstance' in given;
      if (namesInstance && (!withPath || typeof given.path === 'string')) return limitsError(given);
    }
  } catch {
    // Refused below like any other options of the wrong shape.
  }
  return PaymentErrors.invalidConfig(usage, { path: 'options' });
}

/** The longest delay a timer keeps (2^31 - 1 ms): Node runs a longer one, or NaN, after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * `InvalidConfig` for a body limit or a handling deadline that is not a whole number in range: NaN
 * (an unset environment variable) would lift the body limit, and NaN or a delay past a timer's
 * range would fire the deadline at once and refuse every notification.
 */
function limitsError(given: Record<string, unknown>): PaymentError | undefined {
  const whole = (v: unknown, max: number) => v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max);
  if (!whole(given.maxBodyBytes, Number.MAX_SAFE_INTEGER)) return PaymentErrors.invalidConfig('maxBodyBytes must be a whole number of bytes, 1 or more', { path: 'options.maxBodyBytes' });
  if (!whole(given.handleTimeoutMs, MAX_TIMER_MS)) return PaymentErrors.invalidConfig(`handleTimeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`, { path: 'options.handleTimeoutMs' });
  return undefined;
}

/** What the notification routes take. */
export const WEBHOOK_OPTIONS_USAGE = 'instanceId, instanceFromPath: true or resolveInstance; maxBodyBytes?, handleTimeoutMs?';
