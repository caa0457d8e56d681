import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';
import { compareMoney, formatDecimal, type Money } from '../money/money.js';
import { decideTransition, type Attention, type TransitionOutcome, type TransitionTable } from './transitions.js';

/** Where a pre-authorisation stands. `needs_attention`: a capture or void of unknown outcome paykit cannot settle on its own. */
export type PreAuthStatus = 'authorised' | 'captured' | 'voided' | 'needs_attention';

/** Every {@link PreAuthStatus}. */
export const PREAUTH_STATUSES: readonly PreAuthStatus[] = ['authorised', 'captured', 'voided', 'needs_attention'];

/** PreAuth transitions: authorised → captured (≤ authorised) | voided. */
export const PREAUTH_TRANSITIONS: TransitionTable<PreAuthStatus> = {
  authorised: ['captured', 'voided', 'needs_attention'],
  captured: [],
  voided: [],
  needs_attention: ['authorised', 'captured', 'voided'],
};

const PREAUTH_IGNORED: Partial<{ readonly [K in PreAuthStatus]: readonly PreAuthStatus[] }> = {
  captured: ['needs_attention'],
  voided: ['needs_attention'],
};

/** A pre-authorisation (funds held on a card), as plain data. */
export interface PreAuth {
  /** The merchant's order number of the authorisation. */
  readonly orderId: string;
  /** Authorised amount. */
  readonly authorised: Money;
  /** Captured amount, once captured. */
  readonly captured?: Money;
  /** The provider's pre-authorisation id (Allinpay's `preAuthId`), once a reply gave it. */
  readonly providerPreAuthId?: string;
  /** Status. */
  readonly status: PreAuthStatus;
  /** Why paykit stopped settling it and what to do, while it is `needs_attention`. */
  readonly attention?: Attention;
}

/** Decides what a reported pre-auth status does to a recorded one. */
export function preAuthTransition(from: PreAuthStatus, to: PreAuthStatus): PayResult<TransitionOutcome<PreAuthStatus>> {
  return decideTransition('pre-authorisation', PREAUTH_TRANSITIONS, PREAUTH_IGNORED, from, to);
}

/** Checks a capture amount: positive and not above the authorised amount. */
export function checkCapture(authorised: Money, capture: Money): PayResult<Money> {
  return guard('checkCapture', () => {
    if (capture.amount <= 0) return err(PaymentErrors.invalidRequest('capture amount must be greater than zero', { path: 'amount', code: 'invalid_amount' }));
    return compareMoney(capture, authorised).andThen((c) => c <= 0
      ? ok(capture)
      : formatDecimal(capture).andThen((c) => formatDecimal(authorised).andThen((a) => err(PaymentErrors.invalidRequest(
        `capture of ${c} exceeds the authorised ${a} ${authorised.currency}`, { path: 'amount', code: 'invalid_amount' })))));
  });
}
