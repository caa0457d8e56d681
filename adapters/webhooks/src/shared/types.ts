import type { Capability, HandledNotification, HttpReply, Logger, NotificationOps, PaymentError, PayResult } from '@paykit/core';

/**
 * The part of a `Paykit` (from `createPaykit`) the webhook adapters use: notification handling, the
 * instance directory (to answer 404 for an unknown instance) and the logger. A whole `Paykit` fits.
 */
export interface WebhookPaykit {
  /** Verifies, records and acknowledges notifications; gives the provider's rejection reply. */
  readonly notifications: Pick<NotificationOps, 'handle' | 'rejection'>;
  /** The capabilities of an instance; `NotFound` for an unknown one. */
  capabilities(instanceId: string): PayResult<readonly Capability[]>;
  /** Where the adapters log why a request was not acknowledged (never with its body or secrets). */
  readonly logger: Logger;
}

/** The inbound request as an adapter sees it before the body is read. */
export interface WebhookRequestLine {
  /** HTTP method, upper-case. */
  readonly method: string;
  /** Path and query as received (for Express, the original URL before mounting). */
  readonly url: string;
  /** Headers with lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/**
 * How an adapter picks the paykit instance a notification is for: one fixed instance, the last
 * segment of the request path (`/paykit/notify/shop` → `shop`), or a function of the request.
 */
export type InstanceChoice =
  | {
    /** The one instance every request is for. */
    readonly instanceId: string;
  }
  | {
    /** Take the instance id from the last path segment (percent-decoded). */
    readonly instanceFromPath: true;
  }
  | {
    /** Returns the instance id for a request, or undefined for none (404). Must not throw (a throw answers 500). */
    readonly resolveInstance: (request: WebhookRequestLine) => string | undefined;
  };

/** Options every adapter accepts. */
export type WebhookOptions = InstanceChoice & {
  /** Largest body accepted, in bytes (default {@link DEFAULT_MAX_BODY_BYTES}); a larger one gets the provider's rejection. */
  readonly maxBodyBytes?: number;
  /**
   * Longest wait for paykit to verify and durably record a notification, in ms (default
   * {@link DEFAULT_HANDLE_TIMEOUT_MS}); after it the provider's rejection is sent so it delivers again.
   */
  readonly handleTimeoutMs?: number;
};

/** Default body limit: 64 KiB (real notifications are under 2 KiB). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Default wait for paykit before answering with a rejection: 10 s (providers give up after about that). */
export const DEFAULT_HANDLE_TIMEOUT_MS = 10_000;

/** Why a notification request was not acknowledged. */
export type WebhookRejectionReason =
  | 'method-not-allowed'
  | 'unknown-instance'
  | 'body-too-large'
  | 'body-unavailable'
  | 'aborted'
  | 'not-accepted'
  | 'timeout'
  | 'internal';

/** A notification paykit verified and durably recorded: send `reply` (the provider's exact acknowledgement). */
export interface WebhookAccepted extends HandledNotification {
  /** The instance it was for. */
  readonly instanceId: string;
}

/** A request that was not acknowledged: send `reply` (so the provider delivers again, or a 404/405). */
export interface WebhookRejected {
  /** Why. */
  readonly reason: WebhookRejectionReason;
  /** What went wrong, as paykit's one error type; its message says what to fix. */
  readonly error: PaymentError;
  /** The reply to send. */
  readonly reply: HttpReply;
  /** The instance, when one was resolved. */
  readonly instanceId?: string;
}
