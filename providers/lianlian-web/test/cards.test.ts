import { expect } from 'chai';
import { LianlianWebTokens } from '../src/index.js';
import { must, startWorld, type World } from './support.js';

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
});
