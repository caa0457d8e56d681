import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { PaymentErrors, type HttpReply, type LogLevel, type PaymentError, type PayResult, type HandledNotification } from '@paykit/core';
import { incompleteBodyError, type BodyRead } from './body.js';
import { resolveInstance } from './instance.js';
import { optionsError, WEBHOOK_OPTIONS_USAGE } from './options.js';
import { plainReply } from './replies.js';
import {
  DEFAULT_HANDLE_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, type WebhookAccepted, type WebhookOptions, type WebhookPaykit,
  type WebhookRejected, type WebhookRejectionReason, type WebhookRequestLine,
} from './types.js';

/** What an adapter hands the shared pipeline: the request line, and how to get the body once admitted. */
export interface WebhookInput {
  /** Method, URL and headers. */
  readonly line: WebhookRequestLine;
  /** Reads the exact body bytes (called at most once, after the method and instance checks), up to `limit` bytes. */
  readonly readBody: (limit: number, timeoutMs: number) => Promise<BodyRead>;
}

/** Writes a line through paykit's logger; a logger that throws is ignored (it must not stop the reply). */
export function logSafely(paykit: Pick<WebhookPaykit, 'logger'>, level: LogLevel, message: string, fields: Record<string, unknown>): void {
  try {
    paykit.logger.log(level, message, fields);
  } catch {
    // A broken logger cannot be reported anywhere else.
  }
}

/** The provider's error reply for an instance; a plain 500 if paykit cannot give one. */
function providerRejection(paykit: WebhookPaykit, instanceId: string, error: PaymentError): HttpReply {
  try {
    return paykit.notifications.rejection(instanceId, error);
  } catch {
    return plainReply(500, 'notification not accepted');
  }
}

const LEVELS: { readonly [R in WebhookRejectionReason]: LogLevel } = {
  'method-not-allowed': 'warn', 'unknown-instance': 'warn', 'body-too-large': 'warn', 'not-accepted': 'warn',
  aborted: 'info', 'body-unavailable': 'error', timeout: 'error', internal: 'error',
};

function rejected(paykit: WebhookPaykit, reason: WebhookRejectionReason, error: PaymentError, reply: HttpReply, instanceId?: string): Result<never, WebhookRejected> {
  logSafely(paykit, LEVELS[reason], `webhook not acknowledged: ${error.message}`, {
    reason, kind: error.kind, code: error.code, ...(instanceId !== undefined ? { instance: instanceId } : {}),
  });
  return err(instanceId === undefined ? { reason, error, reply } : { reason, error, reply, instanceId });
}

/** Runs `handle` with a deadline; resolves Err(timeout) when it passes, Err(internal) when it throws or rejects. */
function handleWithDeadline(paykit: WebhookPaykit, instanceId: string, line: WebhookRequestLine, body: Uint8Array, timeoutMs: number): Promise<PayResult<HandledNotification> | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  const handled = Promise.resolve()
    .then(() => paykit.notifications.handle(instanceId, { method: line.method, url: line.url, headers: line.headers, body }))
    .then((r) => r, (e: unknown) => err(PaymentErrors.internal('notifications.handle threw instead of returning an error', { cause: e })));
  return Promise.race([handled, deadline]).finally(() => clearTimeout(timer));
}

/** The answer when the route itself is set up wrong (options, or a request that is not one): a plain 500. */
export function misconfigured(paykit: WebhookPaykit, error: PaymentError): Result<never, WebhookRejected> {
  return rejected(paykit, 'internal', error, plainReply(500, 'notification endpoint misconfigured'));
}

/** Checked on every request (the node and Express handlers are made without a Result to fail with). */
const ROUTE_OPTIONS = `notification route options are { ${WEBHOOK_OPTIONS_USAGE} }`;

async function run(paykit: WebhookPaykit, options: WebhookOptions, input: WebhookInput): Promise<Result<WebhookAccepted, WebhookRejected>> {
  const invalid = optionsError(ROUTE_OPTIONS, options);
  if (invalid !== undefined) return misconfigured(paykit, invalid);
  const { line } = input;
  if (line.method !== 'POST') {
    const error = PaymentErrors.invalidRequest(`method ${line.method.slice(0, 16)} is not allowed here: providers POST notifications`);
    return rejected(paykit, 'method-not-allowed', error, plainReply(405, 'paykit notification endpoints accept POST only', { allow: 'POST' }));
  }
  const instance = resolveInstance(paykit, options, line);
  if (instance.isErr()) {
    const { message, resolverFailed } = instance.error;
    return resolverFailed
      ? misconfigured(paykit, PaymentErrors.internal(message))
      : rejected(paykit, 'unknown-instance', PaymentErrors.notFound(message), plainReply(404, message));
  }
  const instanceId = instance.value;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const read = await input.readBody(limit, options.handleTimeoutMs ?? DEFAULT_HANDLE_TIMEOUT_MS);
  switch (read.kind) {
    case 'too-large': {
      const error = PaymentErrors.invalidRequest(`notification body is over ${read.limit} bytes: raise maxBodyBytes if the provider really sends that much`);
      return rejected(paykit, 'body-too-large', error, providerRejection(paykit, instanceId, error), instanceId);
    }
    case 'aborted': {
      const error = incompleteBodyError(read, 'provider');
      return rejected(paykit, 'aborted', error, providerRejection(paykit, instanceId, error), instanceId);
    }
    case 'unavailable': {
      const error = PaymentErrors.invalidConfig(`cannot verify the notification: ${read.detail}`);
      return rejected(paykit, 'body-unavailable', error, providerRejection(paykit, instanceId, error), instanceId);
    }
    case 'complete':
      break;
  }
  const outcome = await handleWithDeadline(paykit, instanceId, line, read.bytes, options.handleTimeoutMs ?? DEFAULT_HANDLE_TIMEOUT_MS);
  if (outcome === 'timeout') {
    const error = PaymentErrors.timeout('paykit did not record the notification in time; the provider will deliver it again');
    return rejected(paykit, 'timeout', error, providerRejection(paykit, instanceId, error), instanceId);
  }
  if (outcome.isErr()) {
    const reason = outcome.error.kind === 'Internal' ? 'internal' : 'not-accepted';
    return rejected(paykit, reason, outcome.error, providerRejection(paykit, instanceId, outcome.error), instanceId);
  }
  return ok({ ...outcome.value, instanceId });
}

/**
 * The pipeline every adapter shares: POST only (405), the instance (404), the exact body within the
 * limit, then `paykit.notifications.handle`. Ok only when paykit verified and durably recorded the
 * notification (its reply is the provider's acknowledgement); every other outcome is an Err whose
 * reply is the provider's rejection (so it delivers again) or a plain 404/405. Never rejects.
 */
export function processWebhook(paykit: WebhookPaykit, options: WebhookOptions, input: WebhookInput): ResultAsync<WebhookAccepted, WebhookRejected> {
  const settled = run(paykit, options, input).catch((e: unknown) => {
    const error = PaymentErrors.internal('webhook adapter: unexpected exception', { cause: e });
    return rejected(paykit, 'internal', error, plainReply(500, 'notification not accepted'));
  });
  return new ResultAsync(settled);
}
