import { createHash, createHmac, createSign } from 'node:crypto';
import { expectResultForAnyInput, hostileValues } from '@paykit/conformance';
import { expect } from 'chai';
import { ResultAsync } from 'neverthrow';
import { createPaykit, InMemoryStore, loadPublicKey, Secret, type PayoutRequest } from '@paykit/core';
import {
  allowanceOf, encryptedBody, encryptPayload, encryptWithKeys, estimateArrival, filterMemo, guessRequest, lianlianPayoutPlugin, reserveLimits, SameCardPolicy,
  signFields, verifyFields, verifyNotificationFields, verifyPayoutNotification,
} from '../src/index.js';
import { CARD_LEDGER_KEY, lianlianKeys, merchantKeys, OID_PARTNER, payoutInput, startRig, until, type Rig } from './support.js';

const baseOptions = { oidPartner: OID_PARTNER, privateKey: merchantKeys.privatePem, lianlianPublicKey: lianlianKeys.publicB64, notifyUrl: 'http://127.0.0.1:1/n' };

async function configError(options: Record<string, unknown>): Promise<{ kind: string; message: string }> {
  const r = await createPaykit({ instances: { payouts: { plugin: 'lianlian-payout', options } } }, { plugins: [lianlianPayoutPlugin] });
  expect(r.isErr(), 'config should be refused').to.equal(true);
  return r._unsafeUnwrapErr();
}

describe('LianLian payout configuration', () => {
  it('refuses MD5 as the sign type: payouts are RSA only', async () => {
    const e = await configError({ ...baseOptions, signType: 'MD5' });
    expect(e.kind).to.equal('InvalidConfig');
    expect(e.message).to.include('RSA only');
  });
  it('refuses an MD5 key, without printing it', async () => {
    const e = await configError({ ...baseOptions, md5Key: 'super-secret-md5' });
    expect(e.kind).to.equal('InvalidConfig');
    expect(e.message).not.to.include('super-secret-md5');
  });
  it('refuses an unreadable private key without echoing it', async () => {
    const e = await configError({ ...baseOptions, privateKey: 'MIIBOGUSKEYMATERIAL' });
    expect(e.kind).to.equal('InvalidConfig');
    expect(e.message).not.to.include('MIIBOGUSKEYMATERIAL');
  });
  it('refuses a default notifyUrl longer than confirmPayment.htm takes (String(64)), naming the limit', async () => {
    const e = await configError({ ...baseOptions, notifyUrl: `https://shop.example/${'n'.repeat(65 - 21)}` });
    expect(e.kind).to.equal('InvalidConfig');
    expect(e.message).to.include('notifyUrl').and.include('at most 64');
  });
  it('refuses an oid_partner that is not 18 digits', async () => {
    expect((await configError({ ...baseOptions, oidPartner: '1234' })).message).to.include('18-digit');
  });
});

describe('LianLian payout request validation', () => {
  let rig: Rig;
  before(async () => { rig = await startRig(); });
  after(() => rig.close());
  const corporate = (extra: Record<string, string>) => ({ ...payoutInput('C'), account: { type: 'corporate' as const, accountNumber: '1234567890123', accountName: 'ACME Ltd', ...extra } });

  for (const [what, input, path] of [
    ['a corporate account without bank_code', corporate({}), 'account.bankCode'],
    ['a corporate account at ICBC without branch details', corporate({ bankCode: '01020000' }), 'account.branchCode'],
    ['a corporate account with city_code but no branch name', corporate({ bankCode: '03080000', cityCode: '310000' }), 'account.branchCode'],
    ['a memo of 25 characters', { ...payoutInput('M'), memo: 'a'.repeat(25) }, 'memo'],
    ['a memo with no accepted character', { ...payoutInput('M'), memo: '!!! ???' }, 'memo'],
    ['an amount in USD', { ...payoutInput('U'), amount: { amount: 100, currency: 'USD' as const } }, 'amount.currency'],
    ['a card number with letters', { ...payoutInput('K'), account: { ...payoutInput('K').account, accountNumber: '6216ABC' } }, 'account.accountNumber'],
    ['an info_order of 256 characters', { ...payoutInput('I'), description: 'x'.repeat(256) }, 'payouts.submit.info_order'],
    ['an amount the query could not report (1000000.00 yuan, above Number(8,2))', payoutInput('B', 100_000_000), 'amount'],
    // Apply takes String(255), confirmPayment.htm String(64): a held payout could never be released.
    ['a notify URL of 65 characters, too long for confirmPayment.htm (String(64))', { ...payoutInput('L'), notifyUrl: `https://shop.example/${'n'.repeat(65 - 21)}` }, 'notifyUrl'],
  ] as const) {
    it(`refuses ${what} before recording or sending anything`, async () => {
      const before = rig.sim.server.received.length;
      const id = `V${Math.random().toString(36).slice(2, 10)}`;
      const e = (await rig.paykit.payouts.submit({ ...input, payoutId: id }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidRequest');
      expect(e.path).to.equal(path);
      expect(e.message).not.to.include('6216');
      expect(rig.sim.server.received.length).to.equal(before);
      // Refused inside the claim: the payout id stays free for the corrected request.
      expect((await rig.paykit.payouts.get(id))._unsafeUnwrapErr().kind).to.equal('NotFound');
    });
  }

  it('accepts the largest amount the query can report, 999999.99 yuan, and sends it as such', async () => {
    expect((await rig.paykit.payouts.submit(payoutInput('BIG-1', 99_999_999)))._unsafeUnwrap().status).to.equal('accepted');
    expect(rig.sim.orders.get('BIG-1')).to.include({ moneyOrder: '999999.99', amountFen: 99_999_999 });
  });

  it('accepts a notify URL of exactly 64 characters and sends it as notify_url', async () => {
    const notifyUrl = `https://shop.example/${'n'.repeat(64 - 21)}`;
    expect(notifyUrl).to.have.length(64);
    expect((await rig.paykit.payouts.submit({ ...payoutInput('NU-64'), notifyUrl }))._unsafeUnwrap().status).to.equal('accepted');
    expect(rig.sim.orders.get('NU-64')?.notifyUrl).to.equal(notifyUrl);
  });

  it('says why a long notify URL is refused: the confirm call would not take it', async () => {
    const e = (await rig.paykit.payouts.submit({ ...payoutInput('NU-65'), notifyUrl: `https://shop.example/${'n'.repeat(65 - 21)}` }))._unsafeUnwrapErr();
    expect(e.message).to.include('65 characters').and.include('confirmPayment.htm').and.include('at most 64');
    expect(rig.sim.orders.has('NU-65'), 'nothing sent').to.equal(false);
  });

  it('accepts a corporate CCB account without branch details (guide 十)', async () => {
    expect((await rig.paykit.payouts.submit({ ...corporate({ bankCode: '01050000' }), payoutId: 'CCB-1' }))._unsafeUnwrap().status).to.equal('accepted');
  });

  it('accepts a corporate account with prcptcd and sends bank_code, prcptcd and flag_card 1', async () => {
    const r = await rig.paykit.payouts.submit({ ...corporate({ bankCode: '03080000', branchCode: '308584000013' }), payoutId: 'PRC-1' });
    expect(r._unsafeUnwrap().status).to.equal('accepted');
  });

  it('filters the memo by the spec\'s character rule before signing', async () => {
    const r = await rig.paykit.payouts.submit({ ...payoutInput('MEMO-1'), memo: '工资 May-2024_#1!' });
    expect(r.isOk()).to.equal(true);
    expect(filterMemo('工资 May-2024_#1!')).to.equal('工资May-2024_1');
    expect(rig.sim.orders.has('MEMO-1'), 'the simulator\'s wire codec accepted the filtered memo').to.equal(true);
  });
});

describe('LianLian payout notifications', () => {
  let rig: Rig;
  before(async () => { rig = await startRig(); });
  after(() => rig.close());
  const key = loadPublicKey(lianlianKeys.publicB64)._unsafeUnwrap();
  const raw = (body: string) => ({ method: 'POST', url: '/n', headers: {}, body: new Uint8Array(Buffer.from(body, 'utf8')) });

  it('verifies a notification signed by LianLian and maps CANCEL to returned', async () => {
    rig.sim.script('N-1', { notify: false });
    await rig.paykit.payouts.submit(payoutInput('N-1', 1005));
    const v = verifyPayoutNotification(Buffer.from(rig.sim.notification('N-1', 'CANCEL')), { oidPartner: OID_PARTNER, lianlianPublicKey: key })._unsafeUnwrap();
    expect(v.report).to.include({ providerOrderId: 'N-1', status: 'returned', providerStatus: 'CANCEL' });
    expect(v.report.amount).to.deep.equal({ amount: 1005, currency: 'CNY' });
  });

  it('acknowledges exactly, records a redelivery as a duplicate, and keeps a success after a late FAILURE', async () => {
    rig.sim.script('N-2', { notify: false });
    await rig.paykit.payouts.submit(payoutInput('N-2'));
    const first = (await rig.paykit.notifications.handle('payouts', raw(rig.sim.notification('N-2', 'SUCCESS'))))._unsafeUnwrap();
    expect(first.reply.body).to.equal('{"ret_code":"0000","ret_msg":"交易成功"}');
    expect(first.duplicate).to.equal(false);
    expect((await rig.paykit.notifications.handle('payouts', raw(rig.sim.notification('N-2', 'SUCCESS'))))._unsafeUnwrap().duplicate).to.equal(true);
    await rig.paykit.notifications.handle('payouts', raw(rig.sim.notification('N-2', 'FAILURE')));
    expect((await rig.paykit.payouts.get('N-2'))._unsafeUnwrap().status).to.equal('succeeded');
  });

  for (const [what, mutate, kind] of [
    ['a changed amount', (j: Record<string, string>) => ({ ...j, money_order: '9999.00' }), 'Signature'],
    ['no sign', (j: Record<string, string>) => { const { sign: _s, ...rest } = j; return rest; }, 'Signature'],
    ['sign_type MD5', (j: Record<string, string>) => ({ ...j, sign_type: 'MD5' }), 'Signature'],
  ] as const) {
    it(`refuses a notification with ${what}, and the rejection is not the acknowledgement`, async () => {
      rig.sim.script('N-3', { notify: false });
      if (!rig.sim.orders.has('N-3')) await rig.paykit.payouts.submit(payoutInput('N-3'));
      const body = JSON.stringify(mutate(JSON.parse(rig.sim.notification('N-3', 'SUCCESS')) as Record<string, string>));
      const e = (await rig.paykit.notifications.handle('payouts', raw(body)))._unsafeUnwrapErr();
      expect(e.kind).to.equal(kind);
      expect(rig.paykit.notifications.rejection('payouts', e).body).not.to.include('"0000"');
      expect((await rig.paykit.payouts.get('N-3'))._unsafeUnwrap().status).not.to.equal('succeeded');
    });
  }

  it('reports the amount of money_order in fen for every result_pay, documented or not, so it can be compared with the record', () => {
    for (const [resultPay, moneyOrder, fen] of [['APPLY', '0.01', 1], ['CHECK', '0.1', 10], ['WAITING', '1', 100], ['PROCESSING', '49.65', 4965], ['SUCCESS', '999999.99', 99_999_999],
      ['FAILURE', '10.50', 1050], ['CANCEL', '0.02', 2], ['CLOSED', '12345678.90', 1_234_567_890], ['SOMETHING_NEW', '3.00', 300]] as const) {
      const body = rig.sim.sign({ oid_partner: OID_PARTNER, sign_type: 'RSA', no_order: 'N-A', dt_order: '20240301090000', money_order: moneyOrder, result_pay: resultPay });
      const v = verifyPayoutNotification(Buffer.from(JSON.stringify(body)), { oidPartner: OID_PARTNER, lianlianPublicKey: key })._unsafeUnwrap();
      expect(v.report.amount, resultPay).to.deep.equal({ amount: fen, currency: 'CNY' });
    }
  });

  it('refuses a correctly signed money_order with three decimals as a Decode error', () => {
    const body = rig.sim.sign({ oid_partner: OID_PARTNER, sign_type: 'RSA', no_order: 'N-4', dt_order: '20240301090000', money_order: '1.005', result_pay: 'SUCCESS' });
    const r = verifyPayoutNotification(Buffer.from(JSON.stringify(body)), { oidPartner: OID_PARTNER, lianlianPublicKey: key });
    expect(r._unsafeUnwrapErr().kind).to.equal('Decode');
  });

  it('refuses a body carrying a card number without quoting the number in the error (rule 6)', () => {
    const e = verifyPayoutNotification(Buffer.from('card_no=6216261234567890018&acct_name=x'), { oidPartner: OID_PARTNER, lianlianPublicKey: key })._unsafeUnwrapErr();
    expect(e.kind).to.equal('Decode');
    expect(e.message).to.include('not JSON');
    expect(JSON.stringify(e)).not.to.include('6216261234567890');
  });

  it('refuses a notification for another merchant, and non-JSON bytes, without throwing', () => {
    const other = rig.sim.sign({ oid_partner: '201606221000000000', sign_type: 'RSA', no_order: 'N-5', dt_order: '20240301090000', money_order: '1.00', result_pay: 'SUCCESS' });
    expect(verifyPayoutNotification(Buffer.from(JSON.stringify(other)), { oidPartner: OID_PARTNER, lianlianPublicKey: key })._unsafeUnwrapErr().kind).to.equal('Decode');
    expect(verifyPayoutNotification(Buffer.from([0xff, 0x00, 0x7b]), { oidPartner: OID_PARTNER, lianlianPublicKey: key }).isErr()).to.equal(true);
  });

  it('delivers a delayed notification and the payout ends succeeded', async () => {
    rig.sim.script('N-6', { notifyDelayMs: 100 });
    await rig.paykit.payouts.submit(payoutInput('N-6'));
    await until(async () => (await rig.paykit.payouts.get('N-6'))._unsafeUnwrap().status === 'succeeded');
  });
});

/** LianLian's MD5 signature, computed here independently: sorted non-empty fields but sign, `&key=`, lowercase MD5. */
function md5Signed(fields: Record<string, string>, key: string): Record<string, string> {
  const text = Object.keys(fields).filter((k) => k !== 'sign' && fields[k] !== '').sort().map((k) => `${k}=${fields[k]}`).join('&');
  return { ...fields, sign: createHash('md5').update(`${text}&key=${key}`, 'utf8').digest('hex') };
}

// The guide's (section 三) test merchant key: letters, digits and "_".
const MD5_KEY = '201408071000001543test_2014082';

describe('LianLian payout MD5-signed result notifications (2014 card-payout document, section 4)', () => {
  const raw = (fields: Record<string, string>) => ({ method: 'POST', url: '/n', headers: {}, body: new Uint8Array(Buffer.from(JSON.stringify(fields), 'utf8')) });
  const notification = (noOrder: string, extra: Record<string, string> = {}) => ({
    oid_partner: OID_PARTNER, sign_type: 'MD5', no_order: noOrder, dt_order: '20240301090000', money_order: '49.65',
    oid_paybill: '2024030100000001', info_order: '提现 withdrawal', result_pay: 'SUCCESS', settle_date: '20240301', ...extra,
  });

  context('when the instance is configured for MD5 notifications', () => {
    let rig: Rig;
    before(async () => { rig = await startRig({ options: { notifySignType: 'MD5', notifyMd5Key: MD5_KEY } }); });
    after(() => rig.close());

    it('verifies one signed with the merchant MD5 key, applies it with its amount, and acknowledges exactly', async () => {
      rig.sim.script('MD5-1', { notify: false });
      expect((await rig.paykit.payouts.submit(payoutInput('MD5-1', 4965)))._unsafeUnwrap().status).to.equal('accepted');
      const handled = (await rig.paykit.notifications.handle('payouts', raw(md5Signed(notification('MD5-1'), MD5_KEY))))._unsafeUnwrap();
      expect(handled.reply.body).to.equal('{"ret_code":"0000","ret_msg":"交易成功"}');
      expect((await rig.paykit.payouts.get('MD5-1'))._unsafeUnwrap().status).to.equal('succeeded');
      const v = verifyPayoutNotification(Buffer.from(JSON.stringify(md5Signed(notification('MD5-1'), MD5_KEY))), { oidPartner: OID_PARTNER, notifySignType: 'MD5', notifyMd5Key: new Secret(MD5_KEY) });
      expect(v._unsafeUnwrap().report.amount).to.deep.equal({ amount: 4965, currency: 'CNY' });
    });

    for (const [what, body] of [
      ['signed with another MD5 key', () => md5Signed(notification('MD5-2'), 'another_key_2014')],
      ['whose amount was changed after signing', () => ({ ...md5Signed(notification('MD5-2'), MD5_KEY), money_order: '4965.00' })],
      ['signed with an uppercase digest (the spec says lowercase, compared exactly)', () => { const f = md5Signed(notification('MD5-2'), MD5_KEY); return { ...f, sign: f['sign']!.toUpperCase() }; }],
      ['signed with RSA: the instance expects MD5 only', () => rig.sim.sign({ ...notification('MD5-2'), sign_type: 'RSA' })],
    ] as const) {
      it(`refuses one ${what}, without acknowledging it`, async () => {
        rig.sim.script('MD5-2', { notify: false });
        if (!rig.sim.orders.has('MD5-2')) await rig.paykit.payouts.submit(payoutInput('MD5-2'));
        const e = (await rig.paykit.notifications.handle('payouts', raw(body())))._unsafeUnwrapErr();
        expect(e.kind).to.equal('Signature');
        expect(e.message).not.to.include(MD5_KEY);
        expect(rig.paykit.notifications.rejection('payouts', e).body).not.to.include('"0000"');
        expect((await rig.paykit.payouts.get('MD5-2'))._unsafeUnwrap().status).to.equal('accepted');
      });
    }
  });

  context('when the instance is not configured for MD5 notifications', () => {
    it('refuses an MD5-signed one, and says to set notifySignType', async () => {
      const rig = await startRig();
      try {
        const e = (await rig.paykit.notifications.handle('payouts', raw(md5Signed(notification('MD5-3'), MD5_KEY))))._unsafeUnwrapErr();
        expect(e.kind).to.equal('Signature');
        expect(e.message).to.include('notifySignType');
      } finally {
        await rig.close();
      }
    });
  });

  context('when the configuration is checked', () => {
    it('refuses notifySignType MD5 without notifyMd5Key', async () => {
      expect((await configError({ ...baseOptions, notifySignType: 'MD5' })).message).to.include('needs notifyMd5Key');
    });
    it('refuses notifyMd5Key without notifySignType MD5 (the key would never be used), without printing it', async () => {
      const e = await configError({ ...baseOptions, notifyMd5Key: MD5_KEY });
      expect(e.message).to.include('notifySignType');
      expect(e.message).not.to.include(MD5_KEY);
    });
    it('refuses a key the merchant site cannot hold (guide 三: letters, digits, "_", at most 100), without printing it', async () => {
      for (const key of ['has-dash-and space', 'k'.repeat(101)]) {
        const e = await configError({ ...baseOptions, notifySignType: 'MD5', notifyMd5Key: key });
        expect(e.message).to.include('1-100 letters, digits or "_"');
        expect(e.message).not.to.include(key);
      }
    });
    it('refuses a sign type other than RSA or MD5', async () => {
      expect((await configError({ ...baseOptions, notifySignType: 'SHA256' })).kind).to.equal('InvalidConfig');
    });
  });
});

describe('LianLian payout CLI tools', () => {
  const tools = lianlianPayoutPlugin.tools!;
  const fields = { oid_partner: OID_PARTNER, no_order: 'T-1' };

  it('signs a query with MD5withRSA over the sorted text (independent createSign agrees)', () => {
    const r = tools.sign(fields, { privateKey: merchantKeys.privatePem })._unsafeUnwrap();
    expect(r.signedText).to.equal(`api_version=1.0&no_order=T-1&oid_partner=${OID_PARTNER}&sign_type=RSA`);
    expect(r.signature).to.equal(createSign('RSA-MD5').update(r.signedText).sign(merchantKeys.privateKey, 'base64'));
  });
  it('refuses MD5 signing as InvalidConfig', () => {
    expect(tools.sign(fields, { signType: 'MD5', md5Key: 'k' })._unsafeUnwrapErr().kind).to.equal('InvalidConfig');
  });
  it('refuses to sign an apply with a three-decimal money_order', () => {
    const e = tools.sign({ ...fields, card_no: '6216261234567890018', money_order: '1.005', dt_order: '20240301090000', acct_name: 'a', info_order: 'i', flag_card: '0', notify_url: 'http://x/n', memo: 'm' }, { privateKey: merchantKeys.privatePem })._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest' });
    expect(e.message).to.include('money_order');
  });

  it('verifies apply replies, query replies and notifications the simulator signs, and refuses a forgery', async () => {
    const rig = await startRig();
    try {
      rig.sim.script('T-2', { hold: '4003', notify: false });
      await rig.paykit.payouts.submit(payoutInput('T-2'));
      const applyReply = rig.sim.sign({ ret_code: '4003', ret_msg: '收款人姓名与卡号不一致', sign_type: 'RSA', oid_partner: OID_PARTNER, no_order: 'T-2', confirm_code: '123456' });
      const a = tools.verify(Buffer.from(JSON.stringify(applyReply)), { publicKey: rig.sim.publicKey })._unsafeUnwrap();
      expect(a.message).to.equal('payout apply or confirm reply');
      expect(a.result).to.include({ outcome: 'held', confirmCode: '123456' });
      const queryReply = rig.sim.sign({ ret_code: '0000', ret_msg: '交易成功', sign_type: 'RSA', oid_partner: OID_PARTNER, no_order: 'T-2', dt_order: '20240301090000', money_order: '49.65', result_pay: 'CHECK' });
      expect(tools.verify(Buffer.from(JSON.stringify(queryReply)), { publicKey: rig.sim.publicKey })._unsafeUnwrap().result).to.include({ status: 'held_for_review' });
      const n = tools.verify(Buffer.from(rig.sim.notification('T-2', 'SUCCESS')), { publicKey: rig.sim.publicKey })._unsafeUnwrap();
      expect(n.message).to.equal('payout notification');
      const forged = { ...queryReply, result_pay: 'SUCCESS' };
      expect(tools.verify(Buffer.from(JSON.stringify(forged)), { publicKey: rig.sim.publicKey })._unsafeUnwrapErr().kind).to.equal('Signature');
    } finally {
      await rig.close();
    }
  });

  it('verifies an MD5-signed notification with --md5-key, and refuses --md5-key for anything else (replies are RSA only)', () => {
    const n = md5Signed({ oid_partner: OID_PARTNER, sign_type: 'MD5', no_order: 'T-3', dt_order: '20240301090000', money_order: '46.78', result_pay: 'SUCCESS' }, MD5_KEY);
    const v = tools.verify(Buffer.from(JSON.stringify(n)), { md5Key: MD5_KEY })._unsafeUnwrap();
    expect(v.message).to.equal('payout notification');
    expect(v.result).to.deep.include({ status: 'succeeded', amount: { amount: 4678, currency: 'CNY' } });
    expect(v.signedText).to.equal(`dt_order=20240301090000&money_order=46.78&no_order=T-3&oid_partner=${OID_PARTNER}&result_pay=SUCCESS&sign_type=MD5`);
    expect(tools.verify(Buffer.from(JSON.stringify({ ...n, money_order: '4678.00' })), { md5Key: MD5_KEY })._unsafeUnwrapErr().kind).to.equal('Signature');
    const reply = md5Signed({ oid_partner: OID_PARTNER, sign_type: 'MD5', ret_code: '0000', ret_msg: '交易成功', no_order: 'T-3' }, MD5_KEY);
    expect(tools.verify(Buffer.from(JSON.stringify(reply)), { md5Key: MD5_KEY })._unsafeUnwrapErr()).to.include({ kind: 'InvalidConfig' });
  });

  it('verifies confirm replies, the 4005 reply without no_order (spec sample shape) and a query 8901, each named', async () => {
    const rig = await startRig();
    try {
      const verify = (fields: Record<string, string>, message?: string) =>
        tools.verify(Buffer.from(JSON.stringify(rig.sim.sign({ oid_partner: OID_PARTNER, sign_type: 'RSA', ...fields }))), { publicKey: rig.sim.publicKey, ...(message ? { message } : {}) });
      const c = verify({ ret_code: '0000', ret_msg: '交易成功', no_order: '2016072814226', oid_paybill: '2016080446983389' }, 'confirm')._unsafeUnwrap();
      expect(c.message).to.equal('payout confirm reply');
      expect(c.result).to.include({ retCode: '0000', outcome: 'accepted', noOrder: '2016072814226', oidPaybill: '2016080446983389' });
      expect(verify({ ret_code: '4005', ret_msg: '商户未开通权限' })._unsafeUnwrap().result).to.include({ retCode: '4005', outcome: 'rejected' });
      const q = verify({ ret_code: '8901', ret_msg: '没有该订单记录' }, 'query')._unsafeUnwrap();
      expect(q.message).to.equal('payout query reply');
      expect(q.result).to.include({ outcome: 'no-record' });
      expect(verify({ ret_code: '0000', ret_msg: '交易成功', no_order: 'x' }, 'confirm').map((r) => r.signedText)._unsafeUnwrap())
        .to.equal(`no_order=x&oid_partner=${OID_PARTNER}&ret_code=0000&ret_msg=交易成功&sign_type=RSA`);
    } finally {
      await rig.close();
    }
  });
});

describe('Same card in, same card out (guide 七)', () => {
  const card = '6216261234567890018';
  const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
  const policy = (store = new InMemoryStore()) => new SameCardPolicy(store, 'payouts', { cardLedgerKey: new Secret(CARD_LEDGER_KEY) });

  it('keys the ledger by an HMAC of the card number under cardLedgerKey, never the number or its plain hash', async () => {
    const store = new InMemoryStore();
    await policy(store).recordPayIn('6216 2612 3456 7890 018', cny(100), 'order-1');
    expect((await store.list('card'))._unsafeUnwrap()).to.have.length(1);
    const keyed = createHmac('sha256', CARD_LEDGER_KEY).update(card).digest('hex');
    expect((await store.get('card', `lianlian-payout:payouts:${keyed}`))._unsafeUnwrap(), 'found under the keyed id').to.not.equal(undefined);
    const stored = JSON.stringify([...(await store.list('card'))._unsafeUnwrap()]);
    expect(stored).to.not.include(card);
    expect((await store.get('card', `lianlian-payout:payouts:${createHash('sha256').update(card).digest('hex')}`))._unsafeUnwrap()).to.equal(undefined);
    // Another key finds nothing: the ledger cannot be looked up without the secret.
    const other = new SameCardPolicy(store, 'payouts', { cardLedgerKey: new Secret('another key of at least thirty-two chars') });
    expect((await other.allowance(card))._unsafeUnwrapErr().kind).to.equal('NotFound');
  });

  it('without cardLedgerKey says to set it, and stores nothing', async () => {
    const store = new InMemoryStore();
    const keyless = new SameCardPolicy(store, 'payouts', {});
    for (const r of [await keyless.recordPayIn(card, cny(100), 'order-1'), await keyless.authorize(card, cny(1), 'P1'), await keyless.allowance(card)]) {
      expect(r._unsafeUnwrapErr()).to.include({ kind: 'InvalidConfig' });
      expect(r._unsafeUnwrapErr().message).to.include('cardLedgerKey');
    }
    expect((await store.list('card'))._unsafeUnwrap()).to.have.length(0);
  });

  it('refuses a configuration with sameCardPolicy but no cardLedgerKey, and a key shorter than 32 characters', async () => {
    const base = { oidPartner: OID_PARTNER, privateKey: merchantKeys.privatePem, lianlianPublicKey: merchantKeys.publicB64, sameCardPolicy: true };
    for (const [options, says] of [[base, 'sameCardPolicy needs cardLedgerKey'], [{ ...base, cardLedgerKey: 'short' }, 'at least 32']] as const) {
      const e = (await createPaykit({ instances: { payouts: { plugin: 'lianlian-payout', options } } }, { plugins: [lianlianPayoutPlugin] }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.message).to.include(says);
      expect(e.message).to.not.include('short');
    }
  });

  it('refuses a card that never paid in', async () => {
    expect((await policy().authorize(card, cny(100), 'P1'))._unsafeUnwrapErr()).to.include({ kind: 'InvalidRequest', code: 'invalid_account' });
  });
  it('allows up to pay-ins plus gains, counts a redelivered pay-in once, and refuses above', async () => {
    const p = policy();
    await p.recordPayIn(card, cny(10000), 'order-1');
    await p.recordPayIn(card, cny(10000), 'order-1');
    await p.declareGain(card, cny(250), 'interest-may');
    expect((await p.authorize(card, cny(6000), 'P1'))._unsafeUnwrap().available).to.deep.equal(cny(4250));
    expect((await p.authorize(card, cny(6000), 'P1'))._unsafeUnwrap().available, 'same payout again is not counted twice').to.deep.equal(cny(4250));
    expect((await p.authorize(card, cny(4251), 'P2'))._unsafeUnwrapErr()).to.include({ code: 'limit_exceeded' });
    expect((await p.release(card, 'P1'))._unsafeUnwrap().available).to.deep.equal(cny(10250));
  });
  it('is enforced on submit when sameCardPolicy is set, before anything is sent', async () => {
    const rig = await startRig({ options: { sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY } });
    try {
      const e = (await rig.paykit.payouts.submit(payoutInput('SC-1', 500)))._unsafeUnwrapErr();
      expect(e.code).to.equal('invalid_account');
      expect(rig.sim.server.received.length).to.equal(0);
      const { LianlianPayoutTokens } = await import('../src/index.js');
      const ext = rig.paykit.extension('payouts', LianlianPayoutTokens.CardPolicy)._unsafeUnwrap();
      await ext.recordPayIn(card, cny(500), 'order-9');
      expect((await rig.paykit.payouts.submit(payoutInput('SC-2', 500)))._unsafeUnwrap().status).to.equal('accepted');
      expect((await rig.paykit.payouts.submit(payoutInput('SC-3', 1)))._unsafeUnwrapErr().code).to.equal('limit_exceeded');
    } finally {
      await rig.close();
    }
  });

  for (const [what, outcome, final] of [['fails', 'failure', 'failed'], ['is returned (CANCEL)', 'success-then-cancel', 'returned']] as const) {
    context(`when a payout ${what} and only a notification says so`, () => {
      it('holds the reservation while it is in flight, then frees it for the next payout to the card', async () => {
        const rig = await startRig({ options: { sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY }, sim: { settleAfterMs: 150 } });
        try {
          const { LianlianPayoutTokens } = await import('../src/index.js');
          const ext = rig.paykit.extension('payouts', LianlianPayoutTokens.CardPolicy)._unsafeUnwrap();
          await ext.recordPayIn(card, cny(500), 'order-9');
          rig.sim.script('SCN-1', { outcome });
          expect((await rig.paykit.payouts.submit(payoutInput('SCN-1', 500)))._unsafeUnwrap().status).to.equal('accepted');
          expect((await rig.paykit.payouts.submit(payoutInput('SCN-2', 500)))._unsafeUnwrapErr().code, 'in flight: still reserved').to.equal('limit_exceeded');
          await until(async () => (await rig.paykit.payouts.get('SCN-1'))._unsafeUnwrap().status === final);
          expect(rig.sim.server.received.filter((r) => r.path === '/paymentapi/queryPayment.htm'), 'no query: the notification alone').to.have.length(0);
          expect((await ext.allowance(card))._unsafeUnwrap().available).to.deep.equal(cny(500));
          expect((await rig.paykit.payouts.submit(payoutInput('SCN-3', 500)))._unsafeUnwrap().status).to.equal('accepted');
          expect((await ext.allowance(card))._unsafeUnwrap()).to.deep.include({ available: cny(0), paidOut: cny(500) });
          const sent = rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm');
          expect(sent, 'SCN-1 and SCN-3 sent, SCN-2 refused before sending').to.have.length(2);
        } finally {
          await rig.close();
        }
      });
    });
  }
});

describe('estimateArrival (guide 十 batch schedule)', () => {
  // Instants written in UTC: CST is UTC+8.
  for (const [submitted, batch, arrival] of [
    ['2024-03-01T02:29:59Z', 'morning', '2024-03-01T04:00:00.000Z'], // 10:29:59 CST → 12:00 CST
    ['2024-03-01T02:30:00Z', 'afternoon', '2024-03-01T09:00:00.000Z'], // 10:30 CST → 17:00 CST
    ['2024-03-01T05:59:59Z', 'afternoon', '2024-03-01T09:00:00.000Z'], // 13:59:59 CST
    ['2024-03-01T06:00:00Z', 'next-day', '2024-03-02T04:00:00.000Z'], // 14:00 CST → next day 12:00
    ['2024-02-29T20:00:00Z', 'morning', '2024-03-01T04:00:00.000Z'], // 04:00 CST on 1 March
    ['2024-12-31T15:00:00Z', 'next-day', '2025-01-01T04:00:00.000Z'], // 23:00 CST, year end
  ] as const) {
    it(`puts a payout submitted at ${submitted} in the ${batch} batch`, () => {
      const e = estimateArrival(new Date(submitted));
      expect(e.batch).to.equal(batch);
      expect(e.estimatedArrival.toISOString()).to.equal(arrival);
    });
  }
});

describe('LianLian payout public functions given anything (rule 3)', () => {
  it('verifyPayoutNotification and guessRequest answer any input with a Result', () => {
    expectResultForAnyInput('verifyPayoutNotification', (a, b) => verifyPayoutNotification(a as never, b as never), 2, new Uint8Array(Buffer.from('{}')));
    expectResultForAnyInput('verifyPayoutNotification', (a, b) => verifyPayoutNotification(a as never, b as never), 2, { oidPartner: OID_PARTNER });
    expectResultForAnyInput('guessRequest', (a, b) => guessRequest(a as never, b as never), 2, {});
  });

  // Valid arguments: each test makes one argument hostile at a time and keeps the others valid, so
  // the checks past the first one are reached too.
  const fields = { oid_partner: OID_PARTNER, no_order: 'N-1', sign_type: 'RSA', sign: 'c2lnbg==' };
  const md5Fields = { ...fields, sign_type: 'MD5' };
  const md5Keys = { notifySignType: 'MD5' as const, notifyMd5Key: new Secret('md5-key') };
  const payloadKeys = { hmacKey: 'H'.repeat(32), aesKey: 'A'.repeat(32), nonce: 'N'.repeat(8) };
  const random = { chars: (n: number) => 'R'.repeat(n) };
  const options = { oidPartner: OID_PARTNER, privateKey: merchantKeys.privateKey, lianlianPublicKey: lianlianKeys.publicKey };
  const ledger = { currency: 'CNY' as const, payIns: { p1: { amount: 100, currency: 'CNY' as const } }, gains: {}, payouts: {} };

  it('verifyNotificationFields answers any input with a Result', () => {
    expectResultForAnyInput('verifyNotificationFields', (a, b, c) => verifyNotificationFields(a as never, b as never, c as never), 3, {});
    expectResultForAnyInput('verifyNotificationFields', (a) => verifyNotificationFields(a as never, md5Keys, 'payout notification'), 1, undefined);
    expectResultForAnyInput('verifyNotificationFields', (b) => verifyNotificationFields(md5Fields, b as never, 'payout notification'), 1, undefined);
    expectResultForAnyInput('verifyNotificationFields', (c) => verifyNotificationFields(md5Fields, md5Keys, c as never), 1, undefined);
    expectResultForAnyInput('verifyNotificationFields', (t) => verifyNotificationFields(fields, { notifySignType: t as never }, 'payout notification'), 1, undefined);
  });

  it('verifyNotificationFields and verifyFields answer a hostile value inside their arguments with a Result', () => {
    // A field or a key that throws when read: the message is refused, never thrown.
    expectResultForAnyInput('verifyNotificationFields', (k) => verifyNotificationFields(md5Fields, { notifySignType: 'MD5', notifyMd5Key: k as never }, 'n'), 1, undefined);
    expectResultForAnyInput('verifyNotificationFields', (k) => verifyNotificationFields(fields, { lianlianPublicKey: k as never }, 'n'), 1, undefined);
    expectResultForAnyInput('verifyNotificationFields', (v) => verifyNotificationFields({ ...md5Fields, sign: v }, md5Keys, 'n'), 1, undefined);
    expectResultForAnyInput('verifyFields', (v) => verifyFields({ ...fields, no_order: v }, lianlianKeys.publicKey, 'reply'), 1, undefined);
    const throwing = Object.defineProperty({ ...md5Fields }, 'sign', { get() { throw new Error('getter'); }, enumerable: true });
    expect(verifyNotificationFields(throwing, md5Keys, 'n')._unsafeUnwrapErr().kind).to.equal('Internal');
  });

  it('verifyNotificationFields says what to pass for fields that are not an object', () => {
    const e = verifyNotificationFields(null as never, md5Keys, 'payout notification')._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'fields' });
    expect(e.message).to.include('parsed JSON object');
    expect(verifyNotificationFields(md5Fields, { notifySignType: 'MD5', notifyMd5Key: 'md5-key' as never }, 'n')._unsafeUnwrapErr().message).to.include('as a Secret');
  });

  it('verifyFields answers any input with a Result', () => {
    expectResultForAnyInput('verifyFields', (a, b, c) => verifyFields(a as never, b as never, c as never), 3, {});
    expectResultForAnyInput('verifyFields', (a) => verifyFields(a as never, lianlianKeys.publicKey, 'reply'), 1, undefined);
    expectResultForAnyInput('verifyFields', (b) => verifyFields(fields, b as never, 'reply'), 1, undefined);
    expectResultForAnyInput('verifyFields', (c) => verifyFields(fields, lianlianKeys.publicKey, c as never), 1, undefined);
  });

  it('signFields answers any input with a Result', () => {
    expectResultForAnyInput('signFields', (a, b) => signFields(a as never, b as never), 2, {});
    expectResultForAnyInput('signFields', (a) => signFields(a as never, merchantKeys.privateKey), 1, undefined);
    expectResultForAnyInput('signFields', (b) => signFields(fields, b as never), 1, undefined);
  });

  it('encryptWithKeys answers any input with a Result, and never names the key texts', () => {
    expectResultForAnyInput('encryptWithKeys', (a, b, c) => encryptWithKeys(a as never, b as never, c as never), 3, {});
    expectResultForAnyInput('encryptWithKeys', (a) => encryptWithKeys(a as never, lianlianKeys.publicKey, payloadKeys), 1, undefined);
    expectResultForAnyInput('encryptWithKeys', (b) => encryptWithKeys('{}', b as never, payloadKeys), 1, undefined);
    expectResultForAnyInput('encryptWithKeys', (c) => encryptWithKeys('{}', lianlianKeys.publicKey, c as never), 1, undefined);
    expectResultForAnyInput('encryptWithKeys', (n) => encryptWithKeys('{}', lianlianKeys.publicKey, { ...payloadKeys, nonce: n as never }), 1, undefined);
    const e = encryptWithKeys('{}', lianlianKeys.publicKey, { ...payloadKeys, hmacKey: 42 as never })._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'keys' });
    expect(e.message).to.include('hmacKey, aesKey, nonce').and.not.include(payloadKeys.aesKey);
  });

  it('encryptPayload answers any input with a Result', () => {
    expectResultForAnyInput('encryptPayload', (a, b, c) => encryptPayload(a as never, b as never, c as never), 3, {});
    expectResultForAnyInput('encryptPayload', (a) => encryptPayload(a as never, lianlianKeys.publicKey, random), 1, undefined);
    expectResultForAnyInput('encryptPayload', (b) => encryptPayload('{}', b as never, random), 1, undefined);
    expectResultForAnyInput('encryptPayload', (c) => encryptPayload('{}', lianlianKeys.publicKey, c as never), 1, undefined);
    expectResultForAnyInput('encryptPayload', (chars) => encryptPayload('{}', lianlianKeys.publicKey, { chars: () => chars } as never), 1, undefined);
  });

  it('encryptedBody answers any input with a Result', () => {
    expectResultForAnyInput('encryptedBody', (a, b, c) => encryptedBody(a as never, b as never, c as never), 3, {});
    expectResultForAnyInput('encryptedBody', (a) => encryptedBody(a as never, options, random), 1, undefined);
    expectResultForAnyInput('encryptedBody', (b) => encryptedBody({ no_order: 'N-1' }, b as never, random), 1, undefined);
    expectResultForAnyInput('encryptedBody', (c) => encryptedBody({ no_order: 'N-1' }, options, c as never), 1, undefined);
    expect(encryptedBody({ no_order: 'N-1' }, options, random).isOk(), 'valid input still builds a body').to.equal(true);
  });

  it('allowanceOf answers any input with a Result', () => {
    expectResultForAnyInput('allowanceOf', (a, b, c, d) => allowanceOf(a as never, b as never, c as never, d as never), 4, {});
    expectResultForAnyInput('allowanceOf', (a) => allowanceOf(a as never), 1, undefined);
    expectResultForAnyInput('allowanceOf', (b) => allowanceOf(ledger, b as never), 1, undefined);
    expectResultForAnyInput('allowanceOf', (c) => allowanceOf(ledger, undefined, c as never), 1, undefined);
    expectResultForAnyInput('allowanceOf', (d) => allowanceOf(ledger, undefined, new Set(), d as never), 1, undefined);
    expect(allowanceOf(ledger)._unsafeUnwrap().available).to.deep.equal({ amount: 100, currency: 'CNY' });
    expect(allowanceOf(null as never)._unsafeUnwrapErr()).to.include({ kind: 'InvalidRequest', path: 'ledger' });
  });

  it('reserveLimits answers any input with a ResultAsync that resolves, never rejects, and refuses what is not its arguments', async () => {
    const request: PayoutRequest = { ...payoutInput('RL-1'), providerOrderId: 'RL-1', createdAt: new Date('2026-12-01T02:00:00Z') };
    const limits = { perPayoutLimit: { amount: 10_000, currency: 'CNY' as const }, perDayLimit: { amount: 50_000, currency: 'CNY' as const } };
    const valid = [request, new InMemoryStore(), 'payouts', limits] as const;
    expect((await reserveLimits(...valid)).isOk(), 'valid input still reserves').to.equal(true);
    for (let at = 0; at < valid.length; at += 1) {
      for (const v of hostileValues()) {
        const args = valid.map((x, i) => (i === at ? v : x)) as unknown as Parameters<typeof reserveLimits>;
        let out: unknown;
        try {
          out = reserveLimits(...args);
        } catch (e) {
          expect.fail(`reserveLimits threw ${String((e as Error)?.message ?? e)} (argument ${at + 1} hostile)`);
        }
        expect(out instanceof ResultAsync, `reserveLimits returns a ResultAsync (argument ${at + 1} hostile)`).to.equal(true);
        const settled = await (out as ResultAsync<void, unknown>).then((r) => r, (e: unknown) => expect.fail(`reserveLimits rejected with ${String((e as Error)?.message ?? e)} (argument ${at + 1} hostile)`));
        // Any text is an instance id, and an object without perPayoutLimit or perDayLimit is "no limits": those may reserve.
        const refused = at < 2 || (at === 2 && typeof v !== 'string') || (at === 3 && (typeof v !== 'object' || v === null));
        if (refused) expect(settled.isErr(), `reserveLimits refuses a hostile argument ${at + 1}`).to.equal(true);
      }
    }
    const e = (await reserveLimits(null as never, new InMemoryStore(), 'payouts', limits))._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'request' });
    expect(e.message).to.include('payoutId, amount, createdAt');
  });
});
