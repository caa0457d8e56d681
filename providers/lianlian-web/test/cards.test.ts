import { expect } from 'chai';
import { decodeWith } from '@paykit/core';
import { LianlianWebTokens } from '../src/index.js';
import { BindListReplyCodec } from '../src/wire.js';
import { simSign, simSigningText } from '../src/simulator/index.js';
import { must, startWorld, TEST_MD5_KEY, type World } from './support.js';

const CARD = '6222020200112233445';

describe('LianLian web card services', function () {
  let w: World;
  before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5' }); });
  after(async function () { await w.close(); });
  const cards = () => must(w.paykit.extension('shop', LianlianWebTokens.Cards));

  context('when querying a card BIN (spec 4.5)', function () {
    it('sends the card number signed and returns the bank and type with the number masked', async function () {
      const bin = must(await cards().cardBin(CARD));
      expect(bin).to.deep.equal({ maskedCardNumber: '622202*********3445', bankCode: '01020000', bankName: '中国工商银行', cardType: 'debit' });
      const body = JSON.parse(String(w.transport.sent.at(-1)?.request.body)) as Record<string, string>;
      expect(body.card_no).to.equal(CARD);
      expect(body.sign).to.match(/^[0-9a-f]{32}$/);
    });

    it('refuses a short number before sending, without echoing it', async function () {
      const before = w.transport.sent.length;
      const e = (await cards().cardBin('62220202001'))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidRequest');
      expect(JSON.stringify(e)).not.to.include('62220202001');
      expect(w.transport.sent.length).to.equal(before);
    });

    it('never logs the full card number', function () {
      for (const line of w.logger.lines) expect(JSON.stringify(line)).not.to.include(CARD);
    });
  });

  context('when listing and unbinding bound cards (spec 4.6, 4.7)', function () {
    it('pages by offset through the unsigned agreement_list, newest first', async function () {
      const a1 = w.sim.bindCard('U9', { cardNo: CARD, bankCode: '01020000', bankName: '中国工商银行', cardType: '2', bindMobile: '13958069593' });
      const a2 = w.sim.bindCard('U9', { cardNo: '6228480000000000018', bankCode: '01030000', bankName: '中国农业银行', cardType: '2', bindMobile: '13958069593' });
      const a3 = w.sim.bindCard('U9', { cardNo: '6259650000000000017', bankCode: '01050000', bankName: '中国建设银行', cardType: '3', bindMobile: '13958069593' });
      const p1 = must(await cards().boundCards({ userId: 'U9' }));
      expect(p1.cards.map((c) => c.agreementNo)).to.deep.equal([a3, a2]);
      expect(p1.cards[0]).to.include({ last4: '0017', cardType: 'credit' });
      expect(p1.nextOffset).to.equal(2);
      expect(p1.ended).to.equal(false);
      const p2 = must(await cards().boundCards({ userId: 'U9', offset: p1.nextOffset }));
      expect(p2.cards.map((c) => c.agreementNo)).to.deep.equal([a1]);
      expect(JSON.parse(String(w.transport.sent.at(-1)?.request.body))).to.include({ offset: '2', user_id: 'U9' });
      // Without bindListPageSize a short page proves nothing: the list ends at the empty page.
      expect(p2).to.include({ ended: false, nextOffset: 3 });
      const p3 = must(await cards().boundCards({ userId: 'U9', offset: p2.nextOffset }));
      expect(p3.cards).to.deep.equal([]);
      expect(p3.ended).to.equal(true);
      expect(p3).not.to.have.property('nextOffset');
    });

    it('ends at the short page when the instance knows LianLian\'s page size (bindListPageSize)', async function () {
      const sized = await startWorld({ signType: 'MD5', notifySignType: 'MD5', extra: { bindListPageSize: 2 } });
      try {
        const service = must(sized.paykit.extension('shop', LianlianWebTokens.Cards));
        for (const cardNo of [CARD, '6228480000000000018', '6259650000000000017']) {
          sized.sim.bindCard('U9', { cardNo, bankCode: '01020000', bankName: '中国工商银行', cardType: '2', bindMobile: '13958069593' });
        }
        const p1 = must(await service.boundCards({ userId: 'U9' }));
        expect(p1).to.include({ ended: false, nextOffset: 2 });
        const p2 = must(await service.boundCards({ userId: 'U9', offset: p1.nextOffset }));
        expect(p2.cards).to.have.length(1);
        expect(p2.ended).to.equal(true);
        expect(p2).not.to.have.property('nextOffset');
      } finally {
        await sized.close();
      }
    });

    it('unbinds an agreement as a call that is never retried, then it is gone from the list', async function () {
      const list = must(await cards().boundCards({ userId: 'U9' }));
      const target = list.cards[0]?.agreementNo as string;
      expect(must(await cards().unbind({ userId: 'U9', agreementNo: target }))).to.deep.equal({ agreementNo: target });
      expect(w.transport.sent.at(-1)?.options.kind).to.equal('money');
      const after = must(await cards().boundCards({ userId: 'U9' }));
      expect(after.cards.map((c) => c.agreementNo)).not.to.include(target);
    });

    it('answers OutcomeUnknown naming the list to check when the unbind reply is lost', async function () {
      const list = must(await cards().boundCards({ userId: 'U9' }));
      w.sim.inject({ dropReply: true });
      const e = (await cards().unbind({ userId: 'U9', agreementNo: list.cards[0]?.agreementNo as string }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('OutcomeUnknown');
      if (e.kind === 'OutcomeUnknown') expect(e.resolution).to.include({ operation: 'cards.boundCards', reference: 'U9' });
    });

    it('maps an unknown agreement (8901) to NotFound', async function () {
      const e = (await cards().unbind({ userId: 'U9', agreementNo: '2014000000000000' }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('NotFound');
      expect(e.providerCode).to.equal('8901');
    });
  });

  // Spec 4.7 answers 0000 or a return code; only a documented refusal proves the agreement untouched.
  context('when the unbind fails after it was sent (spec 4.7)', function () {
    const UNBIND = '/traderapi/bankcardunbind.htm';
    const unbindFirstCard = async (userId: string) => {
      const target = must(await cards().boundCards({ userId })).cards[0]?.agreementNo as string;
      const sent = w.transport.sent.length;
      const result = await cards().unbind({ userId, agreementNo: target });
      expect(w.transport.sent.length, 'sent once, never retried').to.equal(sent + 1);
      return { target, error: result._unsafeUnwrapErr() };
    };
    const expectListToSettle = (e: Awaited<ReturnType<typeof unbindFirstCard>>['error'], userId: string): void => {
      expect(e.kind).to.equal('OutcomeUnknown');
      if (e.kind === 'OutcomeUnknown') expect(e.resolution).to.include({ operation: 'cards.boundCards', reference: userId });
      expect(e.retryable).to.equal(false);
    };
    before(function () {
      for (const cardNo of ['6222020200112233445', '6228480000000000018', '6259650000000000017', '6222020200112233452']) {
        w.sim.bindCard('U7', { cardNo, bankCode: '01020000', bankName: '中国工商银行', cardType: '2', bindMobile: '13958069593' });
      }
    });

    it('answers OutcomeUnknown naming the bound-card list when LianLian answers HTTP 503', async function () {
      w.sim.inject({ path: UNBIND, status: 503 });
      expectListToSettle((await unbindFirstCard('U7')).error, 'U7');
    });

    it('answers OutcomeUnknown when LianLian answers 9999 (系统错误), and the list then shows the unbind took effect', async function () {
      const reply: Record<string, string> = { ret_code: '9999', ret_msg: '系统错误', sign_type: 'MD5' };
      w.sim.inject({ path: UNBIND, replyBody: JSON.stringify({ ...reply, sign: simSign(simSigningText(reply), 'MD5', { md5Key: TEST_MD5_KEY }) }) });
      const { target, error } = await unbindFirstCard('U7');
      expectListToSettle(error, 'U7');
      expect(error.cause?.message).to.include('9999');
      expect(must(await cards().boundCards({ userId: 'U7' })).cards.map((c) => c.agreementNo)).not.to.include(target);
    });

    it('answers OutcomeUnknown when the 0000 reply\'s signature does not verify', async function () {
      w.sim.inject({ path: UNBIND, badSignature: true });
      const { error } = await unbindFirstCard('U7');
      expectListToSettle(error, 'U7');
      expect(error.cause?.name).to.equal('Signature');
    });

    it('answers OutcomeUnknown when the reply cannot be decoded', async function () {
      w.sim.inject({ path: UNBIND, malformedBody: true });
      const { error } = await unbindFirstCard('U7');
      expectListToSettle(error, 'U7');
      expect(error.cause?.name).to.equal('Decode');
    });
  });

  // Spec 4.6: every agreement_list entry field is optional (否), and the list is not signed (不参与签名).
  context('when a bound-card list entry has empty or added fields (spec 4.6)', function () {
    const LIST = '/queryapi/bankcardbindlist.htm';
    /** A genuine 0000 reply for user U8, signed without agreement_list as spec 4.6 says. */
    const listReply = (agreementList: unknown): string => {
      const signed: Record<string, string> = { ret_code: '0000', ret_msg: '交易成功', user_id: 'U8', count: '2', sign_type: 'MD5' };
      return JSON.stringify({ ...signed, agreement_list: agreementList, sign: simSign(simSigningText(signed), 'MD5', { md5Key: TEST_MD5_KEY }) });
    };
    const FULL = { no_agree: '2014031710002121', card_no: '3445', bank_code: '01020000', bank_name: '中国工商银行', card_type: '2', bind_mobile: '139****9593' };
    const FULL_CARD = { agreementNo: '2014031710002121', last4: '3445', bankCode: '01020000', bankName: '中国工商银行', cardType: 'debit', bindMobile: '139****9593' };

    it('accepts entries whose fields are "", "null" or null, reading those fields as absent', async function () {
      w.sim.inject({ path: LIST, replyBody: listReply([
        FULL,
        { no_agree: '2014031710002122', card_no: '0018', bank_code: '', bank_name: 'null', card_type: '3', bind_mobile: null },
      ]) });
      const page = must(await cards().boundCards({ userId: 'U8' }));
      expect(page.cards).to.deep.equal([FULL_CARD, { agreementNo: '2014031710002122', last4: '0018', cardType: 'credit' }]);
    });

    it('keeps the list when an entry carries a field the table lacks (dropped: nothing signs it)', async function () {
      const body = listReply([{ ...FULL, bind_time: '20240301090000', card_status: 1 }]);
      w.sim.inject({ path: LIST, replyBody: body });
      const page = must(await cards().boundCards({ userId: 'U8' }));
      expect(page.cards).to.deep.equal([FULL_CARD]);
      expect(must(decodeWith(BindListReplyCodec, JSON.parse(body), 'bind list')).agreement_list).to.deep.equal([FULL]);
    });

    it('still refuses a list that is not an array of objects, or an entry with a malformed field', async function () {
      for (const list of ['x', ['x'], [null], [[FULL]], [{ ...FULL, card_no: '6222020200112233445' }]]) {
        w.sim.inject({ path: LIST, replyBody: listReply(list) });
        const e = (await cards().boundCards({ userId: 'U8' }))._unsafeUnwrapErr();
        expect(e.kind, JSON.stringify(list)).to.equal('Decode');
      }
    });
  });
});
