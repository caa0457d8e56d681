/** A payment status as the LianLian web simulator keeps it (the `result_pay` vocabulary, spec 4.4). */
export type SimPayStatus = 'WAITING' | 'PROCESSING' | 'SUCCESS' | 'FAILURE' | 'REFUND';

/** A refund the simulator recorded against a paid order (statement files carry it as a negative line). */
export interface SimRefundRecord {
  /** The merchant's refund number. */
  readonly refundId: string;
  /** Refunded amount in fen (positive here; statement lines make it negative). */
  readonly amountMinor: number;
  /** Fee returned with the refund, in fen (positive here). */
  readonly feeMinor: number;
  /** When the refund happened. */
  readonly at: Date;
  /** Settlement date `YYYYMMDD` (China Standard Time). */
  readonly settleDate: string;
}

/**
 * One order in the simulator's ledger: what the cashier form carried and what happened to it.
 * Part B's statement generator reads these to produce a day's reconciliation files.
 */
export interface SimOrderRecord {
  /** `no_order`. */
  readonly orderId: string;
  /** `oid_partner`. */
  readonly oidPartner: string;
  /** `dt_order` as sent (`YYYYMMDDHHmmss`, China Standard Time). */
  readonly dtOrder: string;
  /** Order amount in fen, decoded by the simulator from `money_order`. */
  readonly amountMinor: number;
  /** `busi_partner`. */
  readonly busiPartner: string;
  /** `name_goods`. */
  readonly nameGoods: string;
  /** `info_order`. */
  readonly infoOrder?: string;
  /** `user_id`. */
  readonly userId: string;
  /** `notify_url`. */
  readonly notifyUrl: string;
  /** When the cashier accepted the form. */
  readonly createdAt: Date;
  /** Current status. */
  status: SimPayStatus;
  /** LianLian's payment id (`oid_paybill`, 16 digits), assigned when the cashier accepts the form. */
  readonly oidPaybill: string;
  /** Settlement date `YYYYMMDD` once paid. */
  settleDate?: string;
  /** When it was paid. */
  paidAt?: Date;
  /** `pay_type` of the payment (`2` debit quick pay by default). */
  payType: string;
  /** `bank_code` of the paying card. */
  bankCode: string;
  /** Fee LianLian charged, in fen (set when paid). */
  feeMinor: number;
  /** `id_type`, `id_no`, `acct_name` of the form (a real-name payment), echoed by the notification (spec 4.3). */
  readonly payer?: { readonly idType?: string; readonly idNo?: string; readonly acctName?: string };
  /** The card agreement made by the payment (`no_agree`, 16 digits; integration guide 四: a paid card is bound). */
  noAgree?: string;
  /** Failure reason of the last failed attempt (`memo` of query_version 1.1). */
  memo?: string;
  /** Refunds, oldest first. */
  readonly refunds: SimRefundRecord[];
}

/** The simulator's orders by `no_order`, in the order they were created. */
export class SimLedger {
  readonly #orders = new Map<string, SimOrderRecord>();

  /** Every order, oldest first. */
  orders(): readonly SimOrderRecord[] {
    return [...this.#orders.values()];
  }

  /** One order. */
  get(orderId: string): SimOrderRecord | undefined {
    return this.#orders.get(orderId);
  }

  /** Adds or replaces an order. */
  put(order: SimOrderRecord): void {
    this.#orders.set(order.orderId, order);
  }

  /** Orders paid or refunded with the given settlement date `YYYYMMDD`. */
  settledOn(settleDate: string): readonly SimOrderRecord[] {
    return this.orders().filter((o) => o.settleDate === settleDate || o.refunds.some((r) => r.settleDate === settleDate));
  }
}
