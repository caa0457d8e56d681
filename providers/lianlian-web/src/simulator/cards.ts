import type { SimReply, SimRequest, SimulatorServer } from '@paykit/core/simulator';

/** A card bound with the simulator. */
export interface SimCard {
  /** Agreement number (16 characters). */
  readonly noAgree: string;
  /** Full card number (only its last 4 digits are ever returned). */
  readonly cardNo: string;
  /** Bank code. */
  readonly bankCode: string;
  /** Bank name. */
  readonly bankName: string;
  /** `2` debit, `3` credit. */
  readonly cardType: '2' | '3';
  /** Bound phone. */
  readonly bindMobile: string;
}

/** Card BINs the simulator knows (prefix → bank and type). */
export const SIM_BINS: readonly { prefix: string; bankCode: string; bankName: string; cardType: '2' | '3' }[] = [
  { prefix: '622202', bankCode: '01020000', bankName: '中国工商银行', cardType: '2' },
  { prefix: '622848', bankCode: '01030000', bankName: '中国农业银行', cardType: '2' },
  { prefix: '625965', bankCode: '01050000', bankName: '中国建设银行', cardType: '3' },
];

/** A simulator API handler: request fields in, reply fields out (and which of them go unsigned). */
export type Handler = (f: Record<string, string>) => { fields: Record<string, unknown>; unsigned?: readonly string[]; signed?: boolean };

/** Adds the card routes of spec 4.5–4.7 to a simulator server. */
export function routeCards(server: SimulatorServer, s: {
  readonly cards: Map<string, SimCard[]>;
  readonly pageSize: number;
  readonly api: (req: SimRequest, badSignature: boolean, handle: Handler) => SimReply;
}): void {
  const notFound = (msg: string): ReturnType<Handler> => ({ fields: { ret_code: '8901', ret_msg: msg }, signed: false });
  server.route('POST', '/queryapi/bankcardbin.htm', (req, ctx) => s.api(req, ctx.badSignature, (f) => {
    const bin = SIM_BINS.find((b) => (f.card_no ?? '').startsWith(b.prefix));
    if (!bin || !/^\d{15,19}$/.test(f.card_no ?? '')) return notFound('卡bin不存在');
    return { fields: { ret_code: '0000', ret_msg: '交易成功', card_no: f.card_no, bank_code: bin.bankCode, bank_name: bin.bankName, card_type: bin.cardType } };
  }));
  server.route('POST', '/queryapi/bankcardbindlist.htm', (req, ctx) => s.api(req, ctx.badSignature, (f) => {
    const all = (s.cards.get(f.user_id ?? '') ?? [])
      .filter((c) => (f.no_agree === undefined || c.noAgree === f.no_agree) && (f.card_no === undefined || c.cardNo === f.card_no));
    const offset = Number(f.offset ?? '0');
    const page = all.slice(offset, offset + s.pageSize);
    return {
      fields: {
        ret_code: '0000', ret_msg: '交易成功', user_id: f.user_id, count: String(page.length),
        agreement_list: page.map((c) => ({ no_agree: c.noAgree, card_no: c.cardNo.slice(-4), bank_code: c.bankCode, bank_name: c.bankName, card_type: c.cardType, bind_mobile: c.bindMobile })),
      },
      unsigned: ['agreement_list'],
    };
  }));
  server.route('POST', '/traderapi/bankcardunbind.htm', (req, ctx) => s.api(req, ctx.badSignature, (f) => {
    const list = s.cards.get(f.user_id ?? '') ?? [];
    const i = list.findIndex((c) => c.noAgree === f.no_agree);
    if (i < 0) return notFound('签约协议不存在');
    list.splice(i, 1);
    return { fields: { ret_code: '0000', ret_msg: '交易成功' } };
  }));
}
