// Signed LianLian web notifications (spec 4.3) made with the simulator's own signing code, which
// is written directly on node:crypto and independent of the plugin's signer.
import { simSign, simSigningText } from '@paykit/provider-lianlian-web/testing';

const OID_PARTNER = '201408071000001543';
const MD5_KEY = 'multi-process-test-md5-key';

/** The worker's LianLian web instance. */
export const WORKER_INSTANCE_OPTIONS = {
  oidPartner: OID_PARTNER, signType: 'MD5', notifySignType: 'MD5', md5Key: MD5_KEY, goodsCategory: '1002',
  cashierUrl: 'http://127.0.0.1:9/cashier', apiBaseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify',
};

/** LianLian's acknowledgement, exactly (spec 4.3). */
export const ACK = '{"ret_code":"0000","ret_msg":"交易成功"}';

/** One notification: which order, what it says, its exact body. */
export interface TestNotification {
  readonly orderId: string;
  readonly resultPay: 'SUCCESS' | 'FAILURE' | 'PROCESSING';
  readonly body: string;
}

/** Order id `MP<n>`, amount (n + 1) yuan cents: distinct per order. */
export function orderId(n: number): string {
  return `MP${String(n).padStart(6, '0')}`;
}

/** The signed body LianLian would post for an order in a state. */
export function notification(n: number, resultPay: TestNotification['resultPay']): TestNotification {
  const fen = String(100 + n);
  const fields: Record<string, string> = {
    oid_partner: OID_PARTNER, dt_order: '20261122101500', no_order: orderId(n), oid_paybill: `20261122${String(n).padStart(8, "0")}`,
    money_order: `${fen.slice(0, -2)}.${fen.slice(-2)}`, result_pay: resultPay, settle_date: '20261122',
    info_order: 'multi-process test', pay_type: 'D', bank_code: '01020000', sign_type: 'MD5',
  };
  return { orderId: orderId(n), resultPay, body: JSON.stringify({ ...fields, sign: simSign(simSigningText(fields), 'MD5', { md5Key: MD5_KEY }) }) };
}
