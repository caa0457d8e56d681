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
      if (namesInstance && (!withPath || typeof given.path === 'string')) return undefined;
    }
  } catch {
    // Refused below like any other options of the wrong shape.
  }
  return PaymentErrors.invalidConfig(usage, { path: 'options' });
}

/** What the notification routes take. */
export const WEBHOOK_OPTIONS_USAGE = 'instanceId, instanceFromPath: true or resolveInstance; maxBodyBytes?, handleTimeoutMs?';
