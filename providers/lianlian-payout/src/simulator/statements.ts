/**
 * The FKMX (付款明细) file of a settlement day as the simulator publishes it: its own reading of
 * spec 5.2 in the pipe layout of specs/README.md, written independently of the plugin's parser.
 * A paid payout is a status 0 line; a payout whose money came back (CANCEL) adds a status 5 line
 * with the amount and fee negative and the original order number in the oid_paybill column, as
 * refund lines are written. The simulator charges a flat 1.00 yuan per payout and gives it back
 * with a return.
 */
import type { SimPayoutOrder } from './server.js';

/** The simulator's fee per payout, in fen. */
export const SIM_PAYOUT_FEE = 100;

/** A difference the simulator puts into the day's file, on top of what its traffic gives. */
export type SimPayoutStatementFault =
  /** The payout's line shows another amount (fen). */
  | { readonly kind: 'amount'; readonly noOrder: string; readonly amountFen: number }
  /** The payout's line charges another fee (fen). */
  | { readonly kind: 'fee'; readonly noOrder: string; readonly feeFen: number }
  /** The payout's line is listed twice. */
  | { readonly kind: 'duplicate'; readonly noOrder: string }
  /** The payout's line is left out. */
  | { readonly kind: 'omit'; readonly noOrder: string }
  /** A paid line for an order the merchant never sent. */
  | { readonly kind: 'extra'; readonly noOrder: string; readonly amountFen: number; readonly dtOrder: string }
  /** A line that is not a reconciliation line. */
  | { readonly kind: 'garbage'; readonly text: string };

function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function line(o: { noOrder: string; partnerId: string; dtOrder: string; paybill: string; settleDate: string; fen: number; fee: number; status: '0' | '5'; info: string }): string {
  const amount = yuan(o.fen);
  return [o.noOrder, o.partnerId, o.dtOrder, '101001', o.paybill, o.settleDate, 'CNY', amount, 'CNY', amount, 'CNY', amount, '1.0000',
    o.status, o.dtOrder, yuan(o.fee), 'API渠道', '', o.info].join('|');
}

/** The day's FKMX file (UTF-8): its name per spec 5.1 and its bytes. */
export function simPayoutStatement(
  orders: Iterable<SimPayoutOrder>, partnerId: string, settleDate: string, faults: readonly SimPayoutStatementFault[] = [],
): { readonly name: string; readonly bytes: Uint8Array } {
  const find = <K extends SimPayoutStatementFault['kind']>(kind: K, noOrder: string) =>
    faults.find((f): f is Extract<SimPayoutStatementFault, { kind: K }> => f.kind === kind && 'noOrder' in f && f.noOrder === noOrder);
  const out: string[] = [];
  for (const o of orders) {
    if (o.settleDate !== settleDate || (o.status !== 'SUCCESS' && o.status !== 'CANCEL')) continue;
    if (!find('omit', o.noOrder)) {
      const paid = line({
        noOrder: o.noOrder, partnerId, dtOrder: o.dtOrder, paybill: o.oidPaybill, settleDate,
        fen: find('amount', o.noOrder)?.amountFen ?? o.amountFen, fee: find('fee', o.noOrder)?.feeFen ?? SIM_PAYOUT_FEE, status: '0', info: o.infoOrder,
      });
      out.push(paid);
      if (find('duplicate', o.noOrder)) out.push(paid);
    }
    if (o.status === 'CANCEL') {
      out.push(line({ noOrder: o.noOrder, partnerId, dtOrder: o.dtOrder, paybill: o.noOrder, settleDate, fen: -o.amountFen, fee: -SIM_PAYOUT_FEE, status: '5', info: o.infoOrder }));
    }
  }
  for (const f of faults) {
    if (f.kind === 'extra') out.push(line({ noOrder: f.noOrder, partnerId, dtOrder: f.dtOrder, paybill: `2024${'9'.repeat(12)}`, settleDate, fen: f.amountFen, fee: SIM_PAYOUT_FEE, status: '0', info: 'payout' }));
    if (f.kind === 'garbage') out.push(f.text);
  }
  return { name: `FKMX_${partnerId}_${settleDate}.txt`, bytes: new Uint8Array(Buffer.from(out.map((l) => `${l}\r\n`).join(''), 'utf8')) };
}
