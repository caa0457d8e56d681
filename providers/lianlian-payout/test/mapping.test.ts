/** Return codes of the payout API (README "Return codes that matter"), typed out from the spec. */
import { expect } from 'chai';
import { classifyMoneyCode, classifyQueryCode, mapErrorCode } from '../src/index.js';

describe('LianLian payout return codes', () => {
  context('when a payout is held for review', () => {
    it('maps 4002 (suspected duplicate) and 4004 (duplicate and mismatch) to suspected_duplicate, 4003 (mismatch) to invalid_account', () => {
      expect(mapErrorCode('4002')).to.include({ code: 'suspected_duplicate', retryable: false });
      expect(mapErrorCode('4004')).to.include({ code: 'suspected_duplicate', retryable: false });
      expect(mapErrorCode('4003')).to.include({ code: 'invalid_account', retryable: false });
      for (const code of ['4002', '4003', '4004']) expect(classifyMoneyCode(code).kind, code).to.equal('held');
    });
  });

  context('when a query is answered with a "query first" code', () => {
    for (const code of ['1002', '2005', '4006', '4007', '4009', '9999']) {
      it(`treats ${code} as a retryable refusal of the query, and as an unknown outcome of apply`, () => {
        const q = classifyQueryCode(code);
        expect(q.kind).to.equal('rejected');
        if (q.kind === 'rejected') expect(q.mapping).to.include({ retryable: true, code: 'outcome_unknown' });
        expect(classifyMoneyCode(code).kind).to.equal('query-first');
      });
    }
    it('keeps an unlisted query code a non-retryable provider error', () => {
      const q = classifyQueryCode('1234');
      expect(q.kind === 'rejected' && q.mapping).to.include({ code: 'provider_error', retryable: false });
    });
  });
});
