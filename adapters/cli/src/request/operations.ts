import type * as t from 'io-ts';
import { decodeWith, guardAsync, type Capability, type CapabilityServices, type PayResult, type PayResultAsync } from '@paykit/core';
import {
  CreatePaymentCodec, DayRangeCodec, PaymentRefCodec, PayoutConfirmationCodec, PayoutRequestCodec, PreAuthRequestCodec,
  RefundRequestCodec,
} from './inputs.js';

/** An operation `paykit request` can print: which capability serves it, its input codec and the call. */
export interface RequestOperation {
  /** The capability. */
  readonly capability: Capability;
  /** The operation name used for routing (`create`, `query`…). */
  readonly name: string;
  /** The input type, for the help text. */
  readonly input: string;
  /**
   * Validates the input JSON (errors name the path under `root`, e.g. `payments.create.amount`) and
   * returns the call to make on the capability service.
   */
  readonly prepare: (raw: unknown, root: string) => PayResult<(service: unknown) => PayResultAsync<unknown>>;
}

function op<C extends Capability, I>(
  capability: C, name: string, input: string, codec: t.Decoder<unknown, I>,
  invoke: (service: CapabilityServices[C], input: I) => PayResultAsync<unknown>,
): RequestOperation {
  return {
    capability, name, input,
    prepare: (raw, root) => decodeWith(codec, raw, root).map((value) => (service: unknown) =>
      // A plugin that throws is a bug: it becomes an Internal error here, once.
      guardAsync(`${capability}.${name}`, () => invoke(service as CapabilityServices[C], value))),
  };
}

/** Every operation of `paykit request`, by its command-line name. */
export const REQUEST_OPERATIONS: Readonly<Record<string, RequestOperation>> = {
  'payments.create': op('payments', 'create', 'CreatePaymentInput', CreatePaymentCodec, (s, i) => s.create(i)),
  'payments.query': op('payments', 'query', 'PaymentRef', PaymentRefCodec, (s, i) => s.query(i)),
  'refunds.create': op('refunds', 'create', 'RefundRequest', RefundRequestCodec, (s, i) => s.refund(i)),
  'refunds.query': op('refunds', 'query', 'RefundRequest', RefundRequestCodec, (s, i) => s.query(i)),
  'preauth.capture': op('preauth', 'capture', 'PreAuthRequest', PreAuthRequestCodec, (s, i) => s.capture(i)),
  'preauth.void': op('preauth', 'void', 'PreAuthRequest', PreAuthRequestCodec, (s, i) => s.void(i)),
  'payouts.submit': op('payouts', 'submit', 'PayoutRequest', PayoutRequestCodec, (s, i) => s.submit(i)),
  'payouts.confirm': op('payouts', 'confirm', 'PayoutConfirmation', PayoutConfirmationCodec, (s, i) => s.confirm(i)),
  'payouts.query': op('payouts', 'query', 'PayoutRequest', PayoutRequestCodec, (s, i) => s.query(i)),
  'statements.fetch': op('statements', 'fetch', 'DayRange', DayRangeCodec, (s, i) => s.fetch(i)),
};
