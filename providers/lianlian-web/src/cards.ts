/**
 * Card services of spec 4.5–4.7 (card BIN, bound-card list, unbind): LianLian-specific, so they are
 * reached with `paykit.extension(instanceId, LianlianWebTokens.Cards)`.
 */
import type { ServiceIdentifier } from 'inversify';
import { inject, injectable } from 'inversify';
import { errAsync, okAsync } from 'neverthrow';
import {
  guardAsync, maskCardNumber, PaymentErrors, Tokens, type HttpTransport, type Logger, type PaymentError, type PayResultAsync,
} from '@paykit/core';
import { callApi } from './api.js';
import type { LianlianWebOptions } from './config.js';
import { InstanceKeys } from './keys.js';
import type { LianlianWebOrdersService } from './order-query.js';
import { codeMappingOf, errorCodes, PROVIDER_ID } from './mapping.js';
import {
  BindListReplyCodec, BindListRequestCodec, CardBinReplyCodec, CardBinRequestCodec, UnbindReplyCodec, UnbindRequestCodec,
  UNSIGNED_FIELDS,
} from './wire.js';
import { decodeWith } from '@paykit/core';

/** Card type of spec 4.5/4.6: `2` debit (储蓄卡), `3` credit (信用卡). */
export type CardType = 'debit' | 'credit';

/** What the card BIN query says about a card number (spec 4.5). */
export interface CardBin {
  /** The card number, masked (first 6, last 4). */
  readonly maskedCardNumber: string;
  /** 8-digit bank code. */
  readonly bankCode: string;
  /** Bank name. */
  readonly bankName: string;
  /** Debit or credit. */
  readonly cardType: CardType;
}

/** A card the user bound with LianLian (one `agreement_list` entry, spec 4.6). */
export interface BoundCard {
  /** Agreement number (`no_agree`) to pay or unbind with. */
  readonly agreementNo?: string;
  /** Last 4 digits. */
  readonly last4?: string;
  /** 8-digit bank code. */
  readonly bankCode?: string;
  /** Bank name. */
  readonly bankName?: string;
  /** Debit or credit. */
  readonly cardType?: CardType;
  /** Bound phone number as LianLian returns it. */
  readonly bindMobile?: string;
}

/** One page of the bound-card list. */
export interface BoundCardPage {
  /** The user. */
  readonly userId: string;
  /** `count` of the reply: records returned. */
  readonly count: number;
  /** Cards, most recently bound first. Not signed by LianLian (spec 4.6): informative only. */
  readonly cards: readonly BoundCard[];
  /**
   * Whether this is the last page: it holds no card, or fewer than the instance's
   * `bindListPageSize` (spec 4.6 gives no page size, and its `count` is the records of this reply).
   */
  readonly ended: boolean;
  /** The offset of the next page, unless this one {@link ended} the list. */
  readonly nextOffset?: number;
}

/** A bound-card list query (spec 4.6). */
export interface BoundCardQuery {
  /** The user's id in the merchant system (`user_id`). */
  readonly userId: string;
  /** Offset of the first record (0 for the start). */
  readonly offset?: number;
  /** Only this agreement. */
  readonly agreementNo?: string;
  /** Only this card number (never logged). */
  readonly cardNumber?: string;
  /** `pay_type` (the integration guide: `D` for authenticated payments). */
  readonly payType?: string;
}

/** An unbind request (spec 4.7). */
export interface UnbindRequest {
  /** The user's id. */
  readonly userId: string;
  /** The agreement to end. */
  readonly agreementNo: string;
  /** `pay_type`, optional. */
  readonly payType?: string;
}

/** LianLian web's card services. */
export interface LianlianWebCardsService {
  /** Card BIN query (spec 4.5). */
  cardBin(cardNumber: string): PayResultAsync<CardBin>;
  /** One page of the user's bound cards (spec 4.6). */
  boundCards(query: BoundCardQuery): PayResultAsync<BoundCardPage>;
  /** Ends a card agreement (spec 4.7). */
  unbind(request: UnbindRequest): PayResultAsync<{ readonly agreementNo: string }>;
}

/** Tokens of LianLian web's provider-specific services. */
export const LianlianWebTokens = {
  /** {@link LianlianWebCardsService}: `paykit.extension('shop', LianlianWebTokens.Cards)`. */
  Cards: Symbol.for('paykit.lianlian-web.Cards') as ServiceIdentifier<LianlianWebCardsService>,
  /** {@link LianlianWebOrdersService}: the order query by LianLian's payment number, `paykit.extension('shop', LianlianWebTokens.Orders)`. */
  Orders: Symbol.for('paykit.lianlian-web.Orders') as ServiceIdentifier<LianlianWebOrdersService>,
} as const;

/**
 * Whether an unbind error leaves open that the agreement was ended (spec 4.7). Only what proves
 * nothing changed stays as it is: an error raised before sending (invalid request or config, a
 * connection never made) or a reply with a documented refusal code (mapping.ts: 1001, 1003, 1008,
 * 8901). Anything else after the request left (9999 系统错误, an undocumented code, a non-2xx
 * status, a timeout, a cut connection, a reply that does not verify or decode, an error of
 * paykit's own) proves nothing.
 */
function unbindMayHaveHappened(e: PaymentError): boolean {
  switch (e.kind) {
    case 'InvalidRequest': case 'InvalidConfig': case 'Unsupported': return false;
    case 'Network': return e.sent;
    case 'ProviderRejected': case 'NotFound': return !isDocumentedRefusal(e.providerCode);
    default: return true;
  }
}

/** A documented return code other than 9999's system error: LianLian refused the call. */
function isDocumentedRefusal(retCode: string | undefined): boolean {
  return retCode !== undefined && errorCodes.codes.includes(retCode) && codeMappingOf(retCode).category !== 'provider';
}

const cardTypeOf = (w: string | undefined): CardType | undefined => (w === '2' ? 'debit' : w === '3' ? 'credit' : undefined);

/** The card services bound to {@link LianlianWebTokens.Cards}. */
@injectable()
export class LianlianWebCards implements LianlianWebCardsService {
  readonly #o: LianlianWebOptions;
  readonly #keys: InstanceKeys;
  readonly #transport: HttpTransport;
  readonly #logger: Logger;

  /** Built by the container. */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(InstanceKeys) keys: InstanceKeys,
    @inject(Tokens.Transport) transport: HttpTransport,
    @inject(Tokens.Logger) logger: Logger,
  ) {
    this.#o = options as LianlianWebOptions;
    this.#keys = keys;
    this.#transport = transport;
    this.#logger = logger;
  }

  #deps(): ReturnType<InstanceKeys['get']> {
    return this.#keys.get();
  }

  /** Card BIN query (spec 4.5). The card number never reaches a log or an error. */
  cardBin(cardNumber: string): PayResultAsync<CardBin> {
    return guardAsync('lianlian-web.cards.cardBin', () => {
      const card = typeof cardNumber === 'string' ? cardNumber.replace(/\s+/g, '') : '';
      const req = { oid_partner: this.#o.oidPartner, sign_type: this.#o.signType, card_no: card };
      const valid = decodeWith(CardBinRequestCodec.unsigned, req, 'cards.cardBin');
      if (valid.isErr()) return errAsync(PaymentErrors.invalidRequest('cardNumber must be 15-19 digits', { path: 'cardNumber', code: 'invalid_card' }));
      const keys = this.#deps();
      if (keys.isErr()) return errAsync(keys.error);
      return callApi({ options: this.#o, keys: keys.value, transport: this.#transport, logger: this.#logger }, 'cardBin', req, CardBinReplyCodec, [], 'query')
        .andThen(({ wire: r }) => {
          const type = cardTypeOf(r.card_type);
          if (r.card_no !== card || type === undefined) return errAsync(PaymentErrors.decode('card BIN reply is for another card', { providerId: PROVIDER_ID }));
          return okAsync({ maskedCardNumber: maskCardNumber(card), bankCode: r.bank_code, bankName: r.bank_name, cardType: type });
        });
    });
  }

  /**
   * One page of bound cards (spec 4.6). `agreement_list` is not signed: treat it as informative.
   * Walk the list from offset 0 with each page's `nextOffset` until a page says `ended`.
   */
  boundCards(query: BoundCardQuery): PayResultAsync<BoundCardPage> {
    return guardAsync('lianlian-web.cards.boundCards', () => {
      const offset = query.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > 99_999_999) return errAsync(PaymentErrors.invalidRequest('offset must be a whole number 0-99999999', { path: 'offset' }));
      const req: Record<string, string> = { oid_partner: this.#o.oidPartner, user_id: query.userId, sign_type: this.#o.signType, offset: String(offset) };
      if (this.#o.platform !== undefined) req.platform = this.#o.platform;
      if (query.agreementNo !== undefined) req.no_agree = query.agreementNo;
      if (query.cardNumber !== undefined) req.card_no = query.cardNumber.replace(/\s+/g, '');
      if (query.payType !== undefined) req.pay_type = query.payType;
      const valid = decodeWith(BindListRequestCodec.unsigned, req, 'cards.boundCards');
      if (valid.isErr()) return errAsync(/card_no/.test(valid.error.path ?? '') ? PaymentErrors.invalidRequest('cardNumber must be 15-19 digits', { path: 'cardNumber' }) : valid.error);
      const keys = this.#deps();
      if (keys.isErr()) return errAsync(keys.error);
      return callApi({ options: this.#o, keys: keys.value, transport: this.#transport, logger: this.#logger }, 'bindList', req, BindListReplyCodec, UNSIGNED_FIELDS.bindList, 'query')
        .andThen(({ wire: r }) => {
          if (r.user_id !== query.userId) return errAsync(PaymentErrors.decode('bound-card reply is for another user', { providerId: PROVIDER_ID }));
          const cards = (r.agreement_list ?? []).map((a): BoundCard => {
            const type = cardTypeOf(a.card_type);
            return {
              ...(a.no_agree !== undefined ? { agreementNo: a.no_agree } : {}), ...(a.card_no !== undefined ? { last4: a.card_no } : {}),
              ...(a.bank_code !== undefined ? { bankCode: a.bank_code } : {}), ...(a.bank_name !== undefined ? { bankName: a.bank_name } : {}),
              ...(type !== undefined ? { cardType: type } : {}), ...(a.bind_mobile !== undefined ? { bindMobile: a.bind_mobile } : {}),
            };
          });
          const size = this.#o.bindListPageSize;
          const ended = cards.length === 0 || (size !== undefined && cards.length < size);
          return okAsync({ userId: r.user_id, count: Number(r.count), cards, ended, ...(ended ? {} : { nextOffset: offset + cards.length }) });
        });
    });
  }

  /**
   * Ends a card agreement (spec 4.7). Never retried by the transport: any failure after sending but
   * a documented refusal is `OutcomeUnknown`, settled by listing the user's bound cards.
   */
  unbind(request: UnbindRequest): PayResultAsync<{ readonly agreementNo: string }> {
    return guardAsync('lianlian-web.cards.unbind', () => {
      const req: Record<string, string> = { oid_partner: this.#o.oidPartner, user_id: request.userId, sign_type: this.#o.signType, no_agree: request.agreementNo };
      if (this.#o.platform !== undefined) req.platform = this.#o.platform;
      if (request.payType !== undefined) req.pay_type = request.payType;
      const valid = decodeWith(UnbindRequestCodec.unsigned, req, 'cards.unbind');
      if (valid.isErr()) return errAsync(valid.error);
      const keys = this.#deps();
      if (keys.isErr()) return errAsync(keys.error);
      return callApi({ options: this.#o, keys: keys.value, transport: this.#transport, logger: this.#logger }, 'unbind', req, UnbindReplyCodec, [], 'money')
        .map(() => ({ agreementNo: request.agreementNo }))
        .mapErr((e) => (unbindMayHaveHappened(e)
          ? PaymentErrors.outcomeUnknown(`unbind of agreement ${request.agreementNo}: ${e.kind} after sending, it may have taken effect`, {
            operation: 'cards.boundCards', reference: request.userId, hint: 'list the user\'s bound cards: if the agreement is gone, the unbind took effect',
          }, { providerId: PROVIDER_ID, cause: e })
          : e));
    });
  }
}
