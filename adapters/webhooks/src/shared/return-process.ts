import { err, ok, type Result } from 'neverthrow';
import {
  PaymentErrors, type Capability, type HandledReturn, type HttpReply, type Logger, type LogLevel, type PaymentError, type PaymentOps, type PayResult,
} from '@paykit/core';
import { incompleteBodyError, type BodyRead } from './body.js';
import { resolveInstance } from './instance.js';
import { optionsError, WEBHOOK_OPTIONS_USAGE } from './options.js';
import { logSafely } from './process.js';
import { plainReply } from './replies.js';
import { DEFAULT_HANDLE_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, type InstanceChoice, type WebhookRequestLine } from './types.js';

/**
 * The part of a `Paykit` the return routes use: `payments.handleReturn`, the instance directory
 * (404 for an unknown instance) and the logger. A whole `Paykit` fits.
 */
export interface ReturnPaykit {
  /** Verifies a payer's return and queries a payment still waiting. */
  readonly payments: Pick<PaymentOps, 'handleReturn'>;
  /** The capabilities of an instance; `NotFound` for an unknown one. */
  capabilities(instanceId: string): PayResult<readonly Capability[]>;
  /** Where the routes log why a return was not shown (never with its body). */
  readonly logger: Logger;
}

/** A return paykit verified: what the result page shows. */
export interface ReturnShown extends HandledReturn {
  /** The instance it came to. */
  readonly instanceId: string;
}

/** Why a return was not shown. */
export type ReturnRefusalReason =
  | 'method-not-allowed'
  | 'unknown-instance'
  | 'body-too-large'
  | 'body-unavailable'
  | 'aborted'
  | 'not-shown'
  | 'timeout'
  | 'internal';

/** A return that could not be shown: not verified, no such order here, or the route failed. */
export interface ReturnRefused {
  /** Why. */
  readonly reason: ReturnRefusalReason;
  /** What went wrong, as paykit's one error type; its message says what to fix. */
  readonly error: PaymentError;
  /** The instance, when one was resolved. */
  readonly instanceId?: string;
}

/** What a return route did, as its `render` callback gets it. */
export type ReturnOutcome = Result<ReturnShown, ReturnRefused>;

/**
 * Renders the page for a return (HTML, a redirect to the shop's own result page…). It gets every
 * outcome, the refused ones included, and may be async. A throw or a rejection answers a plain 500.
 */
export type ReturnRender = (outcome: ReturnOutcome) => HttpReply | Promise<HttpReply>;

/** Options of the return routes. */
export type ReturnOptions = InstanceChoice & {
  /** Largest POST body accepted, in bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
  readonly maxBodyBytes?: number;
  /**
   * Longest wait for paykit to verify the return and finish its provider query, in ms (default
   * {@link DEFAULT_HANDLE_TIMEOUT_MS}); after it the route answers 504 (the query's answer is still
   * recorded when it comes).
   */
  readonly handleTimeoutMs?: number;
  /** Renders the page; without it the route answers JSON ({@link returnJson}). */
  readonly render?: ReturnRender;
};

/** What the return routes take. */
export const RETURN_OPTIONS_USAGE = `${WEBHOOK_OPTIONS_USAGE}, render?`;

/** Checked on every return (the node and Express handlers are made without a Result to fail with). */
const ROUTE_OPTIONS = `return route options are { ${RETURN_OPTIONS_USAGE} }`;

/** What an adapter hands the return pipeline: the request line, and how to read a POST body. */
export interface ReturnInput {
  /** Method, URL (path and query) and headers. */
  readonly line: WebhookRequestLine;
  /** Reads the exact body bytes (called at most once, for a POST), up to `limit` bytes. */
  readonly readBody: (limit: number, timeoutMs: number) => Promise<BodyRead>;
}

/** A route's answer: the reply to write, and what happened. */
export interface ReturnAnswer {
  /** The reply to write. */
  readonly reply: HttpReply;
  /** What happened. */
  readonly outcome: ReturnOutcome;
  /** True when the request body was not read to its end: the connection should close. */
  readonly closeConnection: boolean;
}

const REFUSAL_STATUS: { readonly [R in Exclude<ReturnRefusalReason, 'not-shown'>]: number } = {
  'method-not-allowed': 405, 'unknown-instance': 404, 'body-too-large': 413, 'body-unavailable': 500, aborted: 400, timeout: 504, internal: 500,
};

/** HTTP status of a return paykit refused, by its error kind. */
const KIND_STATUS: Partial<Record<PaymentError['kind'], number>> = {
  InvalidRequest: 400, Signature: 400, Decode: 400, NotFound: 404, Conflict: 409, Unsupported: 501, Timeout: 504,
};

const LEVELS: { readonly [R in ReturnRefusalReason]: LogLevel } = {
  'method-not-allowed': 'info', 'unknown-instance': 'warn', 'body-too-large': 'warn', 'not-shown': 'warn',
  aborted: 'info', 'body-unavailable': 'error', timeout: 'error', internal: 'error',
};

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** The error as a page may see it: kind, standard code, message (which never carries secrets). */
const errorView = (e: PaymentError) => ({ kind: e.kind, code: e.code, message: e.message });

/** A refusal as JSON: `{ error: { kind, code, message } }`. */
const errorJson = (status: number, e: PaymentError, headers: HttpReply['headers'] = JSON_TYPE): HttpReply => ({ status, headers, body: JSON.stringify({ error: errorView(e) }) });

/**
 * The default JSON answer. Shown: `{ instanceId, payment: { orderId, status, amount, refunded,
 * paidAt?, failure? }, claimed: { status, amount?, authenticity }, queried, queryError? }`; the
 * payer's provider details and paykit's bookkeeping are left out (anyone holding the return URL
 * can read this). Refused: `{ error: { kind, code, message } }` with 400 (not verified), 404, 409
 * (not this order's), 501 (the plugin has no returns), 504 or 500. Anything but a route's outcome
 * (a `render` callback passing something else) answers 500 with an `InvalidRequest` saying so.
 */
export function returnJson(outcome: ReturnOutcome): HttpReply {
  try {
    // Only a Result object: a string has a `match` method too.
    if (typeof outcome === 'object' && outcome !== null) return outcomeJson(outcome);
  } catch {
    // Not a route's outcome after all: answered below.
  }
  return errorJson(500, PaymentErrors.invalidRequest('returnJson takes the outcome a return route hands its render callback', { path: 'outcome' }));
}

function outcomeJson(outcome: ReturnOutcome): HttpReply {
  return outcome.match(
    (shown) => {
      const p = shown.payment;
      const c = shown.claimed;
      const body = {
        instanceId: shown.instanceId,
        payment: {
          orderId: p.orderId, status: p.status, amount: p.amount, refunded: p.refunded,
          ...(p.paidAt !== undefined ? { paidAt: p.paidAt } : {}), ...(p.failure !== undefined ? { failure: p.failure } : {}),
        },
        claimed: { status: c.status, ...(c.amount !== undefined ? { amount: c.amount } : {}), authenticity: c.authenticity },
        queried: shown.queried,
        ...(shown.queryError !== undefined ? { queryError: errorView(shown.queryError) } : {}),
      };
      return { status: 200, headers: JSON_TYPE, body: JSON.stringify(body) };
    },
    (refused) => {
      const status = refused.reason === 'not-shown' ? KIND_STATUS[refused.error.kind] ?? 500 : REFUSAL_STATUS[refused.reason] ?? 500;
      return errorJson(status, refused.error, refused.reason === 'method-not-allowed' ? { ...JSON_TYPE, allow: 'GET, POST' } : JSON_TYPE);
    },
  );
}

function refused(paykit: ReturnPaykit, reason: ReturnRefusalReason, error: PaymentError, instanceId?: string): Result<never, ReturnRefused> {
  logSafely(paykit, LEVELS[reason], `payer return not shown: ${error.message}`, {
    reason, kind: error.kind, code: error.code, ...(instanceId !== undefined ? { instance: instanceId } : {}),
  });
  return err(instanceId === undefined ? { reason, error } : { reason, error, instanceId });
}

/** The outcome, and whether the request body was left unread (the connection then closes). */
interface Ran {
  readonly outcome: ReturnOutcome;
  readonly unread: boolean;
}

async function run(paykit: ReturnPaykit, options: ReturnOptions, input: ReturnInput): Promise<Ran> {
  const done = (outcome: ReturnOutcome, unread = false): Ran => ({ outcome, unread });
  const { line } = input;
  if (line.method !== 'GET' && line.method !== 'POST') {
    return done(refused(paykit, 'method-not-allowed', PaymentErrors.invalidRequest(`method ${line.method.slice(0, 16)} is not allowed here: payer returns come by GET (a redirect) or POST (a form, the app's result)`)));
  }
  const instance = resolveInstance(paykit, options, line, 'returns');
  if (instance.isErr()) {
    const { message, resolverFailed } = instance.error;
    return done(resolverFailed ? refused(paykit, 'internal', PaymentErrors.internal(message)) : refused(paykit, 'unknown-instance', PaymentErrors.notFound(message)));
  }
  const instanceId = instance.value;
  let body: Uint8Array = new Uint8Array(0);
  if (line.method === 'POST') {
    const read = await input.readBody(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, options.handleTimeoutMs ?? DEFAULT_HANDLE_TIMEOUT_MS);
    switch (read.kind) {
      case 'too-large':
        return done(refused(paykit, 'body-too-large', PaymentErrors.invalidRequest(`the return body is over ${read.limit} bytes: raise maxBodyBytes if a provider really sends that much`), instanceId), true);
      case 'aborted':
        return done(refused(paykit, 'aborted', incompleteBodyError(read, 'client'), instanceId), true);
      case 'unavailable':
        return done(refused(paykit, 'body-unavailable', PaymentErrors.invalidConfig(`cannot verify the return: ${read.detail}`), instanceId));
      case 'complete':
        body = read.bytes;
        break;
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), options.handleTimeoutMs ?? DEFAULT_HANDLE_TIMEOUT_MS); });
  const handled = Promise.resolve()
    .then(() => paykit.payments.handleReturn(instanceId, { method: line.method, url: line.url, headers: line.headers, body }))
    .then((r) => r, (e: unknown) => err(PaymentErrors.internal('payments.handleReturn threw instead of returning an error', { cause: e })));
  const outcome = await Promise.race([handled, deadline]).finally(() => clearTimeout(timer));
  if (outcome === 'timeout') return done(refused(paykit, 'timeout', PaymentErrors.timeout('paykit did not finish the return in time: show the payment as recorded and let the page ask again'), instanceId));
  if (outcome.isErr()) return done(refused(paykit, outcome.error.kind === 'Internal' ? 'internal' : 'not-shown', outcome.error, instanceId));
  return done(ok({ ...outcome.value, instanceId }));
}

const RENDER_FAILED = plainReply(500, 'the return page could not be rendered');

/**
 * The pipeline every return route shares: GET or POST (405), the instance (404), a POST's exact body
 * within the limit, then `paykit.payments.handleReturn`; the reply is `render`'s, or
 * {@link returnJson}'s. Never rejects.
 */
export async function processReturn(paykit: ReturnPaykit, options: ReturnOptions, input: ReturnInput): Promise<ReturnAnswer> {
  const invalid = optionsError(ROUTE_OPTIONS, options);
  if (invalid !== undefined) {
    const outcome = refused(paykit, 'internal', invalid);
    return { reply: returnJson(outcome), outcome, closeConnection: false };
  }
  const ran = await run(paykit, options, input).catch((e: unknown): Ran => ({
    outcome: refused(paykit, 'internal', PaymentErrors.internal('return route: unexpected exception', { cause: e })), unread: false,
  }));
  const { outcome, unread } = ran;
  if (options.render === undefined) return { reply: returnJson(outcome), outcome, closeConnection: unread };
  try {
    return { reply: await options.render(outcome), outcome, closeConnection: unread };
  } catch (e) {
    logSafely(paykit, 'error', 'the return route\'s render callback failed', { error: e instanceof Error ? e.name : typeof e });
    return { reply: RENDER_FAILED, outcome, closeConnection: unread };
  }
}
